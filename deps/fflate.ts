/** Zip files for the Gradescope package. */
export * from "npm:fflate@0.8.3";
