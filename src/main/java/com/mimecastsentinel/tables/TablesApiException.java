package com.mimecastsentinel.tables;

/**
 * The Tables API refused a request or failed: the method, the path (no host, no token), the status and the error
 * code Azure Resource Manager answered with.
 */
public final class TablesApiException extends RuntimeException {
    private final String method;
    private final int status;
    private final String code;

    TablesApiException(String method, String path, int status, String code, String detail) {
        super(method + " " + path + " answered " + status + (code.isEmpty() ? "" : " " + code)
                + (detail.isEmpty() ? "" : ": " + detail));
        this.method = method;
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** A 403: the identity lacks the role for this request. */
    public boolean forbidden() {
        return status == 403;
    }

    /** What grants the request this answer refused, on which scope; null for an answer other than 403. */
    public String roleHint(String workspace) {
        if (!forbidden()) {
            return null;
        }
        return method.equals("GET")
                ? "the identity may not read the workspace's tables: grant it the role Log Analytics Reader (action "
                        + "Microsoft.OperationalInsights/workspaces/tables/read) on the workspace " + workspace
                : "the identity may not change the workspace's tables: grant it the role Log Analytics Contributor "
                        + "(actions Microsoft.OperationalInsights/workspaces/tables/write and Microsoft."
                        + "OperationalInsights/workspaces/tables/migrate/action) on the workspace " + workspace;
    }
}
