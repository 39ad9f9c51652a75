/** Syntax highlighting for the site. */
export * from "npm:shiki@4.6.0";
