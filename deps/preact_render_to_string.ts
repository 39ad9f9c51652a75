/** Server rendering of Preact trees to HTML strings. */
export * from "npm:preact-render-to-string@6.8.2";
