// ink imports its React DevTools hook-up (devtools.js: react-devtools-core and ws, about 130 kB) when DEV=true.
// roster never debugs its views with DevTools, so the bundle takes this empty module instead: a DEV=true in
// a CI environment then changes nothing, and no chunk of dist/ ships code that is never run.
export {};
