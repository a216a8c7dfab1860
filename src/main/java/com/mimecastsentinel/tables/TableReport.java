package com.mimecastsentinel.tables;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the command found and did for one table, as printed (text or {@code --json}): its state, the columns to
 * add, the conflicts, the extra columns kept, the requests {@code --apply} sends, what it did and what went wrong.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class TableReport {
    public final String table;
    /** The template parameter its name comes from. */
    public final String parameter;
    /** missing, classic, DCR-based, refused, unreadable or failed. */
    public String state;
    public String note;
    public List<TableColumn> add = List.of();
    public List<TablePlan.Conflict> conflicts = List.of();
    public List<TableColumn> kept = List.of();
    public List<TablePlan.PlannedRequest> requests = List.of();
    public final List<String> done = new ArrayList<>();
    public final List<String> problems = new ArrayList<>();
    /** Nothing left to change and nothing in the way: the connector's DCR can write to it as the template says. */
    public boolean ready;

    TableReport(DesiredTable desired) {
        this.table = desired.name();
        this.parameter = desired.parameter();
    }
}
