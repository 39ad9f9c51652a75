/** Sucrase: strips TypeScript from students' code in the browser (the exercise checker). */
export * from "npm:sucrase@3.35.1";
