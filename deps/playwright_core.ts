/** Playwright without browsers of its own: it drives Debian's Chromium. */
export * from "npm:playwright-core@1.65.1";
