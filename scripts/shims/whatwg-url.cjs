// node-fetch v2 (inside cross-fetch) falls back to whatwg-url only where Node has no URL class; Node 20
// always has one. Bundling the real package would add its 300 KB Unicode table to every start-up.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
