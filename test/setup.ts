// Preloaded before any test file. ink decides once, when first imported, whether it runs in CI (only the
// final frame) or at a terminal. roster draws ink only at a terminal outside CI, so the ink views are tested
// in that mode whatever machine runs the suite; the CLI subprocess tests set CI=true themselves.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
