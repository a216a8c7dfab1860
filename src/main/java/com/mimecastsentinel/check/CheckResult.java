package com.mimecastsentinel.check;

import com.mimecastsentinel.logging.Secrets;

/**
 * One line of the check command's report: what was checked, how it came out, what was found and, when it did not
 * pass, what to do. Detail and fix are masked as the logs are: no secret reaches the report.
 */
public record CheckResult(String check, Outcome result, String detail, String fix) {

    /** PASS and SKIP let a run go ahead; WARN does too but says what may bite later; FAIL means a run would fail. */
    public enum Outcome { PASS, WARN, FAIL, SKIP }

    /** The longest detail shown: what an upstream answered is quoted in it, and an answer is not trusted. */
    static final int MAX_DETAIL = 600;

    public CheckResult {
        detail = shown(detail == null ? "" : detail);
        fix = fix == null ? null : shown(fix);
    }

    /** Masked, on one line without control characters (no answer can forge a line of the table), bounded. */
    private static String shown(String text) {
        String line = Secrets.mask(text).replaceAll("\\p{Cntrl}", " ");
        return line.length() > MAX_DETAIL ? line.substring(0, MAX_DETAIL) + "…" : line;
    }

    public static CheckResult pass(String check, String detail) {
        return new CheckResult(check, Outcome.PASS, detail, null);
    }

    public static CheckResult warn(String check, String detail, String fix) {
        return new CheckResult(check, Outcome.WARN, detail, fix);
    }

    public static CheckResult fail(String check, String detail, String fix) {
        return new CheckResult(check, Outcome.FAIL, detail, fix);
    }

    public static CheckResult skip(String check, String detail) {
        return new CheckResult(check, Outcome.SKIP, detail, null);
    }
}
