package com.mimecastsentinel.tables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries out a table's plan with additive requests only: creates a missing table with the template's schema;
 * migrates a classic one; PUTs an existing one with every column it has (as read just before, in its own type) plus
 * the missing ones, since a PUT deletes the columns it omits. Then reads the table until the columns are there and
 * checks that no column it had before is gone or retyped.
 */
final class TablePreparation {
    private final TablesApi api;
    private final SchemaWait wait;

    TablePreparation(TablesApi api, SchemaWait wait) {
        this.api = api;
        this.wait = wait;
    }

    /** Adds what was done, and what went wrong, to {@code report}; API failures are thrown. */
    void apply(TablePlan plan, TableReport report) {
        String name = plan.desired.name();
        // every column the table had, as first read and as read just before the PUT: none may be lost
        Map<String, TableColumn> before = new LinkedHashMap<>();
        if (plan.existing != null) {
            plan.existing.columns().forEach(c -> before.put(c.name(), c));
        }
        List<TableColumn> added;
        if (plan.state == TablePlan.State.MISSING) {
            if (api.get(name).isPresent()) { // a PUT of the template's schema would delete its other columns
                report.problems.add(name + " was created while this command ran: run it again");
                return;
            }
            int status = api.put(name, plan.desired.createBody());
            report.done.add("PUT " + api.path(name) + " answered " + status + ": created with the template's "
                    + plan.desired.columns().size() + " columns");
            added = plan.desired.columns();
        } else {
            if (plan.state == TablePlan.State.CLASSIC) {
                int status = api.migrate(name);
                report.done.add("POST " + api.migratePath(name) + " answered " + status + ": migrated to a "
                        + "DCR-based table");
            }
            ExistingTable current = wait.poll(() -> api.get(name).orElse(null),
                    t -> t != null && ExistingTable.DCR_BASED.equals(t.subType()));
            if (current == null || !ExistingTable.DCR_BASED.equals(current.subType())) {
                report.problems.add(name + " is " + (current == null ? "gone" : "still " + current.subType())
                        + " after " + wait.limit() + ": nothing was added; run the command again later");
                return;
            }
            current.columns().forEach(c -> before.putIfAbsent(c.name(), c));
            added = TablePlan.of(plan.desired, Optional.of(current)).add;
            if (!added.isEmpty()) {
                int status = api.put(name, current.updateBody(name, added));
                report.done.add("PUT " + api.path(name) + " answered " + status + ": its " + current.columns().size()
                        + " columns kept, " + added.size() + " added");
            }
        }
        ExistingTable after = wait.poll(() -> api.get(name).orElse(null),
                t -> t != null && added.stream().allMatch(c -> t.column(c.name()).isPresent()));
        report.problems.addAll(verify(name, after, added, before.values()));
        if (report.problems.isEmpty()) {
            report.done.add("verified: " + (before.isEmpty() ? "its " + added.size() + " columns are there"
                    : added.size() + " added, the " + before.size() + " it had before all there with their types"));
        }
    }

    private List<String> verify(String name, ExistingTable after, List<TableColumn> added,
            java.util.Collection<TableColumn> before) {
        List<String> problems = new ArrayList<>();
        if (after == null) {
            problems.add(name + " is not there " + wait.limit() + " after the PUT: run the command again to see "
                    + "whether the service created it");
            return problems;
        }
        List<String> late = added.stream().filter(c -> after.column(c.name()).isEmpty()).map(TableColumn::name)
                .toList();
        if (!late.isEmpty()) {
            problems.add(late.size() + " columns are not there " + wait.limit() + " after the PUT (the service "
                    + "applies it asynchronously: run the command again to check): " + String.join(", ", late));
        }
        for (TableColumn had : before) {
            Optional<TableColumn> now = after.column(had.name());
            if (now.isEmpty()) {
                problems.add("column " + had.name() + " (" + had.type() + ") was there before and is gone");
            } else if (!now.get().sameType(had)) {
                problems.add("column " + had.name() + " was " + had.type() + " and is now " + now.get().type());
            }
        }
        return problems;
    }
}
