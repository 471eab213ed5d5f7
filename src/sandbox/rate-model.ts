/** How a sandbox's rate limit counts requests: the three kinds of limiter an API may put behind its headers. */
export type RateModel = "window" | "grid" | "bucket";
