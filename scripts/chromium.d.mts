/** The Chromium the end-to-end tests will drive, or null. */
export function chromiumExecutableOrNull(): string | null;
