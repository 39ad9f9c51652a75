/** PNG encoding and decoding in plain JavaScript. */
export * from "npm:fast-png@8.0.0";
