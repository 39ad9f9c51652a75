/** A DOM for the server, where Observable Plot draws and tests parse markup. */
export * from "npm:linkedom@0.18.15";
