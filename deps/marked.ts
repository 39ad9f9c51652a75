/** Markdown to HTML for the site. */
export * from "npm:marked@18.2.1";
