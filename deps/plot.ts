/** Observable Plot: every chart, as SVG. */
export * from "npm:@observablehq/plot@0.6.17";
