/** Content types for the files the site serves, by extension. */
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  woff2: "font/woff2",
  bin: "application/octet-stream",
  wasm: "application/wasm",
  ts: "text/plain; charset=utf-8",
};

/** The content type of `path` (`application/octet-stream` when unknown). */
export function contentType(path: string): string {
  return TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";
}
