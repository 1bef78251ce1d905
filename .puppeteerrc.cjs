// Puppeteer must not download its own browser when a system Chromium exists (offline machines):
// the browser tests launch /usr/bin/chromium (or $CHROMIUM_PATH) through executablePath.
const fs = require('node:fs');
const systemChromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
module.exports = { skipDownload: fs.existsSync(systemChromium) };
