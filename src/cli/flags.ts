import { InvalidArgumentError } from "commander";
import type { PlanFormat, ReviewFormat, ShowFormat } from "../render/plan-formats.js";
import type { GuardOptions } from "../plan/guards.js";
import type { SandboxFaults } from "../sandbox/faults.js";
import type { RateModel } from "../sandbox/rate-models.js";

// The flags each command's parser gives, typed as commander fills them in (defaults included), and what
// they become in the commands' own options.

/** The flags of every command that talks to the API. */
export interface ApiFlags {
  baseUrl?: string;
  concurrency: number;
  timeout: number;
  maxRetries: number;
}

/** The guard flags of plan and apply: they override the manifest's `guards` for one run. */
export interface GuardFlags {
  maxRemovals?: number;
  maxRemovalPercent?: number;
  force?: boolean;
}

export interface ValidateFlags {
  /** Every -f given, in order (users.yaml without one). */
  file: string[];
  format: "pretty" | "github";
}

export interface PlanFlags extends ApiFlags, GuardFlags {
  /** Every -f given, in order (users.yaml without one). */
  file: string[];
  format: PlanFormat;
  out?: string;
  detailedExitcode?: boolean;
  /** false with --no-pager. */
  pager: boolean;
}

export interface ApplyFlags extends ApiFlags, GuardFlags {
  /** Every -f given, in order (users.yaml without one). */
  file: string[];
  format: PlanFormat;
  yes?: boolean;
  auditLog?: string;
  /** False with --no-verify. */
  verify: boolean;
  ignoreManifestChange?: boolean;
}

export interface ReviewFlags extends ApiFlags {
  /** Every -f given, in order (users.yaml without one). */
  file: string[];
  format: ReviewFormat;
  output?: string;
}

export interface ShowFlags {
  format: ShowFormat;
  /** false with --no-pager. */
  pager: boolean;
}

export interface ExportFlags extends ApiFlags {
  output?: string;
  force?: boolean;
  schemaRef?: string;
}

export interface SandboxFlags {
  state?: string;
  port: number;
  latency: number;
  jitter: number;
  seed: number;
  failRate?: number;
  throttleRate?: number;
  resetRate?: number;
  hangRate?: number;
  ghostRate?: number;
  rateLimit?: number;
  rateWindow: number;
  rateModel: RateModel;
  quietRateLimit?: boolean;
  managedAccounts?: number;
}

/** The API flags as the commands take them. */
export function apiOptionsOf(flags: ApiFlags) {
  return {
    ...(flags.baseUrl !== undefined ? { baseUrl: flags.baseUrl } : {}),
    concurrency: flags.concurrency,
    timeoutSeconds: flags.timeout,
    maxRetries: flags.maxRetries,
  };
}

/** The guard flags as the guards take them: only those given override the manifest. */
export function guardOptionsOf(flags: GuardFlags): GuardOptions {
  return {
    ...(flags.maxRemovals !== undefined ? { maxRemovals: flags.maxRemovals } : {}),
    ...(flags.maxRemovalPercent !== undefined ? { maxRemovalPercent: flags.maxRemovalPercent } : {}),
    force: Boolean(flags.force),
  };
}

/** The sandbox's fault flags as one SandboxFaults: the rates given, the seed, the rate limit's window and model. */
export function sandboxFaultsOf(flags: SandboxFlags): SandboxFaults {
  const rates = {
    errorRate: flags.failRate,
    throttleRate: flags.throttleRate,
    resetRate: flags.resetRate,
    hangRate: flags.hangRate,
    ghostRate: flags.ghostRate,
    rateLimit: flags.rateLimit,
  };
  return {
    seed: flags.seed,
    rateWindowMs: flags.rateWindow,
    rateModel: flags.rateModel,
    ...(flags.quietRateLimit ? { quietRateLimit: true } : {}),
    ...Object.fromEntries(Object.entries(rates).filter(([, value]) => value !== undefined)),
  };
}

/** A flag taking a whole number in a range, with the range in its error. */
export function intIn(flag: string, min: number, max: number) {
  return (raw: string) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max)
      throw new InvalidArgumentError(`${flag} takes a whole number from ${min} to ${max}.`);
    return value;
  };
}

/** A flag taking a number in a range, with the range in its error. */
export function numberIn(flag: string, min: number, max: number) {
  return (raw: string) => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max)
      throw new InvalidArgumentError(`${flag} takes a number from ${min} to ${max}.`);
    return value;
  };
}
