/** A TCP port a service can listen on (0, "any free port", is the runtime's own exception). */
export const PORT_MIN = 1;
export const PORT_MAX = 65_535;

export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= PORT_MIN && value <= PORT_MAX;
}
