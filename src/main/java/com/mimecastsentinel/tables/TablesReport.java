package com.mimecastsentinel.tables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The {@code tables} command's report: every table's {@link TableReport}, the roles to grant, a summary, and the
 * value of the template's {@code createTables} parameter for the deployment that follows. Printed as text or, with
 * {@code --json}, as this object.
 */
@JsonPropertyOrder({"workspace", "template", "apply", "tables", "hints", "summary", "createTables",
        "createTablesNote", "ready"})
public final class TablesReport {
    private static final int WIDTH = 116;

    public final String workspace;
    public final String template;
    public final boolean apply;
    public final List<TableReport> tables;
    /** What to grant, once each (the roles and actions a 403 asked for). */
    public final List<String> hints;
    public final String summary;
    /** The template parameter to deploy with; null when a table could not be read. */
    public final Boolean createTables;
    public final String createTablesNote;
    /** Every table is ready: the exit status is 0. */
    public final boolean ready;

    TablesReport(String workspace, String template, boolean apply, List<TableReport> tables, List<String> hints) {
        this.workspace = workspace;
        this.template = template;
        this.apply = apply;
        this.tables = List.copyOf(tables);
        this.hints = hints;
        this.ready = tables.stream().allMatch(t -> t.ready);
        this.summary = summary();
        long missing = count(t -> t.state.equals("missing"));
        if (tables.stream().anyMatch(t -> List.of("unreadable", "failed", "not checked").contains(t.state))) {
            createTables = null;
            createTablesNote = "not every table could be read";
        } else if (missing == tables.size() && !apply) {
            createTables = true;
            createTablesNote = "none of the tables exists: the deployment creates them";
        } else {
            createTables = false;
            createTablesNote = "the tables exist" + (apply ? " or were created by --apply" : "") + ": a table "
                    + "deployment is a PUT of the whole schema, which would delete the columns the template does not "
                    + "list" + (missing > 0 && !apply ? "; run with --apply first: with createTables=false the "
                    + "deployment creates none of the " + missing + " missing tables" : "");
        }
    }

    public int exitStatus() {
        return ready ? 0 : 1;
    }

    private long count(Predicate<TableReport> which) {
        return tables.stream().filter(which).count();
    }

    private String summary() {
        Map<String, Integer> states = new LinkedHashMap<>();
        tables.forEach(t -> states.merge(t.state, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        states.forEach((state, n) -> parts.add(n + " " + state));
        String counted = tables.size() + " tables (" + String.join(", ", parts) + "): ";
        if (ready) {
            return counted + "all ready" + (apply ? "" : ", nothing to change");
        }
        List<String> why = new ArrayList<>();
        long pending = count(t -> !apply && !t.ready && t.problems.isEmpty() && t.conflicts.isEmpty()
                && !t.requests.isEmpty());
        if (pending > 0) {
            why.add(pending + " with changes pending (run again with --apply)");
        }
        long conflicts = count(t -> !t.conflicts.isEmpty());
        if (conflicts > 0) {
            why.add(conflicts + " with a column of another type than the template's");
        }
        long refused = count(t -> t.state.equals("refused"));
        if (refused > 0) {
            why.add(refused + " refused");
        }
        long held = count(t -> t.state.equals("held"));
        if (held > 0) {
            why.add(held + " held (columns longer than 45 characters)");
        }
        long failed = count(t -> !t.problems.isEmpty());
        if (failed > 0) {
            why.add(failed + " failed");
        }
        return counted + count(t -> t.ready) + " ready; " + String.join(", ", why);
    }

    public String text() {
        StringBuilder out = new StringBuilder();
        out.append("workspace ").append(workspace).append('\n');
        out.append(tables.size()).append(" tables of ").append(template)
                .append(apply ? ", prepared with --apply (additions only)" : ", compared: nothing is changed "
                        + "without --apply").append("\n\n");
        for (TableReport t : tables) {
            boolean prepared = !t.done.isEmpty() && t.problems.isEmpty();
            out.append(t.table).append(": ").append(t.state).append(prepared ? ", prepared" : "")
                    .append(t.ready ? ", ready" : "").append('\n');
            line(out, "", t.note);
            list(out, "add", t.add);
            for (TablePlan.Conflict c : t.conflicts) {
                line(out, "conflict: ", c.column() + " is " + c.tableType() + " in the table, " + c.templateType()
                        + " in the template; never changed (a column cannot change type). The connector would write "
                        + c.column() + " as " + c.templateType() + " and the DCR's data flow fails for those rows: "
                        + "rename the column in the route's mapping (routes/*.yaml, and the template and DCR with it) "
                        + "or move the data yourself");
            }
            list(out, "kept", t.kept);
            if (!t.kept.isEmpty()) {
                line(out, "", t.state.equals("classic") ? "the migration keeps these columns and their data"
                        : "not in the template: kept with their data (a deployment with createTables=true would "
                        + "delete them)");
            }
            if (!t.requests.isEmpty()) {
                out.append(apply ? "  --apply sends:\n" : "  --apply would send:\n");
                t.requests.forEach(r -> out.append("    ").append(String.format("%-4s", r.method())).append(' ')
                        .append(r.path()).append("  (").append(r.purpose()).append(")\n"));
            }
            t.done.forEach(d -> line(out, "done: ", d));
            t.problems.forEach(p -> line(out, "FAILED: ", p));
        }
        out.append('\n');
        hints.forEach(h -> line(out, "to do: ", h));
        out.append("summary: ").append(summary).append('\n');
        out.append("template parameter afterwards: ")
                .append(createTables == null ? "createTables unknown" : "createTables=" + createTables)
                .append(" (").append(createTablesNote).append(")\n");
        return out.toString();
    }

    private static void list(StringBuilder out, String label, List<TableColumn> columns) {
        if (!columns.isEmpty()) {
            List<String> items = columns.stream().map(c -> c + ",").toList();
            String last = items.get(items.size() - 1);
            List<String> words = new ArrayList<>(items.subList(0, items.size() - 1));
            words.add(last.substring(0, last.length() - 1));
            wrap(out, label + " (" + columns.size() + "): ", words);
        }
    }

    /** One line however long: a path or a message stays whole, for reading and for grep. */
    private static void line(StringBuilder out, String label, String text) {
        if (text != null) {
            out.append("  ").append(label).append(text).append('\n');
        }
    }

    /** Column lists can be long: wrapped between columns, never between a column's name and its type. */
    private static void wrap(StringBuilder out, String label, List<String> words) {
        StringBuilder line = new StringBuilder("  ").append(label);
        boolean empty = true;
        for (String word : words) {
            if (!empty && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder("    ");
                empty = true;
            }
            line.append(empty ? "" : " ").append(word);
            empty = false;
        }
        out.append(line).append('\n');
    }
}
