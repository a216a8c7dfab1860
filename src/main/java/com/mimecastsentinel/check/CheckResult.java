package com.mimecastsentinel.check;

import com.mimecastsentinel.logging.Secrets;

/**
 * One line of the check command's report: what was checked, how it came out, what was found and, when it did not
 * pass, what to do. Detail and fix are masked as the logs are: no secret reaches the report.
 */
public record CheckResult(String check, Outcome result, String detail, String fix) {

    /** PASS and SKIP let a run go ahead; WARN does too but says what may bite later; FAIL means a run would fail. */
    public enum Outcome { PASS, WARN, FAIL, SKIP }

    public CheckResult {
        detail = Secrets.mask(detail == null ? "" : detail);
        fix = fix == null ? null : Secrets.mask(fix);
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
