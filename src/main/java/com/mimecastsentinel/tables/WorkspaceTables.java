package com.mimecastsentinel.tables;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.mimecastsentinel.logging.Secrets;

/**
 * Compares a workspace's tables with the template's and, with {@code apply}, prepares them: the work of the
 * {@code tables} command, without its arguments and printing.
 */
public final class WorkspaceTables {
    private final TablesApi api;
    private final TablePreparation preparation;

    public WorkspaceTables(TablesApi api, SchemaWait wait) {
        this.api = api;
        this.preparation = new TablePreparation(api, wait);
    }

    public TablesReport run(List<DesiredTable> desired, String template, boolean apply) {
        List<TableReport> reports = new ArrayList<>();
        Set<String> hints = new LinkedHashSet<>();
        RuntimeException stopped = null;
        for (DesiredTable table : desired) {
            TableReport report = new TableReport(table);
            reports.add(report);
            if (stopped != null) {
                report.state = "not checked";
                report.note = "stopped after the failure above";
                continue;
            }
            try {
                TablePlan plan = TablePlan.of(table, api.get(table.name()));
                describe(plan, report);
                if (apply && plan.changes()) {
                    preparation.apply(plan, report);
                }
                report.ready = plan.state != TablePlan.State.REFUSED && plan.state != TablePlan.State.HELD
                        && report.conflicts.isEmpty()
                        && report.problems.isEmpty() && (!plan.changes() || apply);
            } catch (TablesApiException e) {
                failed(report, e.forbidden() && report.state == null ? "unreadable" : "failed", e.getMessage());
                if (e.roleHint(api.workspace()) != null) {
                    hints.add(e.roleHint(api.workspace()));
                }
            } catch (RuntimeException e) {
                // not the service's answer (no token, no network): every other table would fail the same way
                failed(report, "failed", e.toString());
                if (e instanceof com.azure.core.exception.ClientAuthenticationException) {
                    hints.add("the command got no Azure token: it authenticates as the connector does "
                            + "(AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or a managed or workload "
                            + "identity, or else your az login)");
                }
                stopped = e;
            }
        }
        return new TablesReport(api.workspace(), template, apply, reports, List.copyOf(hints));
    }

    private static void failed(TableReport report, String state, String problem) {
        if (report.state == null) {
            report.state = state;
        }
        report.problems.add(Secrets.mask(problem));
        report.ready = false;
    }

    private void describe(TablePlan plan, TableReport report) {
        report.add = List.copyOf(plan.add);
        report.conflicts = List.copyOf(plan.conflicts);
        report.kept = List.copyOf(plan.kept);
        report.requests = plan.requests(api);
        switch (plan.state) {
            case MISSING -> {
                report.state = "missing";
                report.note = "not in the workspace: to be created with the template's " + plan.add.size()
                        + " columns";
            }
            case CLASSIC -> {
                report.state = "classic";
                report.note = "a classic table (HTTP Data Collector API): a DCR cannot write to it until it is "
                        + "migrated. The migration makes it DCR-based and keeps every column it has (the _s, _d, … "
                        + "ones included) with its data; the template's columns are then added beside them";
            }
            case DCR_BASED -> {
                report.state = "DCR-based";
                report.note = plan.add.isEmpty() && plan.conflicts.isEmpty() ? "has every column of the template"
                        : null;
            }
            case REFUSED -> {
                report.state = "refused";
                report.note = "tableSubType " + (plan.existing.subType().isEmpty() ? "(none)"
                        : plan.existing.subType()) + ": not a custom table this command may change ("
                        + "'Any' is a built-in table); give the template parameter " + plan.desired.parameter()
                        + " another value";
                report.add = List.of();
                report.conflicts = List.of();
                report.kept = List.of();
            }
            case HELD -> {
                report.state = "held";
                report.note = (ExistingTable.CLASSIC.equals(plan.existing.subType()) ? "a classic table" : "a table")
                        + " with " + plan.tooLong.size() + " column(s) longer than the " + TablePlan.MAX_COLUMN_NAME
                        + " characters a Tables API request may carry (" + plan.tooLong.stream().map(TableColumn::name)
                        .collect(java.util.stream.Collectors.joining(", ")) + "): adding columns means a PUT that "
                        + "either carries them (and may be refused) or omits them (and deletes them), and a "
                        + "migration cannot be undone, so nothing is changed. See docs/migration.md (tables with "
                        + "columns longer than 45 characters)";
            }
            default -> throw new IllegalStateException(plan.state.name());
        }
    }
}
