/** Short, unambiguous printing of values for mini-vitest's failure messages. */

const MAX_ITEMS = 20;
const MAX_DEPTH = 4;

function formatNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

function formatItems(items: unknown[], total: number, depth: number, seen: Set<unknown>): string {
  const shown = items.slice(0, MAX_ITEMS).map((v) => formatValue(v, depth + 1, seen));
  if (total > MAX_ITEMS) shown.push(`… ${total - MAX_ITEMS} more`);
  return shown.join(', ');
}

export function formatValue(value: unknown, depth = 0, seen: Set<unknown> = new Set()): string {
  switch (typeof value) {
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return JSON.stringify(value);
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '[Circular]';
  if (depth > MAX_DEPTH) return Array.isArray(obj) ? '[Array]' : '[Object]';
  seen.add(obj);
  try {
    if (obj instanceof Error) return `${obj.name}: ${obj.message}`;
    if (obj instanceof Date) return `Date(${Number.isNaN(+obj) ? 'Invalid' : obj.toISOString()})`;
    if (obj instanceof RegExp) return obj.toString();
    if (Array.isArray(obj)) return `[${formatItems(obj, obj.length, depth, seen)}]`;
    if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
      const arr = obj as unknown as ArrayLike<unknown>;
      return `${obj.constructor.name}(${arr.length}) [${formatItems(Array.from(arr), arr.length, depth, seen)}]`;
    }
    if (obj instanceof ArrayBuffer) return `ArrayBuffer(${obj.byteLength})`;
    if (obj instanceof Map) {
      const entries = [...obj.entries()].map(([k, v]) => `${formatValue(k, depth + 1, seen)} => ${formatValue(v, depth + 1, seen)}`);
      return `Map(${obj.size}) {${entries.slice(0, MAX_ITEMS).join(', ')}${obj.size > MAX_ITEMS ? ', …' : ''}}`;
    }
    if (obj instanceof Set) return `Set(${obj.size}) {${formatItems([...obj], obj.size, depth, seen)}}`;
    if (obj instanceof Promise) return 'Promise {}';
    const ctor = (obj as { constructor?: { name?: string } }).constructor?.name;
    const prefix = ctor && ctor !== 'Object' ? `${ctor} ` : '';
    const keys = Object.keys(obj);
    const shown = keys.slice(0, MAX_ITEMS).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${formatValue((obj as Record<string, unknown>)[k], depth + 1, seen)}`);
    if (keys.length > MAX_ITEMS) shown.push(`… ${keys.length - MAX_ITEMS} more`);
    return `${prefix}{${shown.length ? ` ${shown.join(', ')} ` : ''}}`;
  } finally {
    seen.delete(obj);
  }
}
