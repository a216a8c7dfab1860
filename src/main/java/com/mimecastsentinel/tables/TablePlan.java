package com.mimecastsentinel.tables;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one table needs, from the template's columns and the table as it is: only additions. A column the table
 * has with another type is a conflict (a column cannot change type), a column the template does not list is kept
 * (a PUT that omitted it would delete it and its data).
 */
public final class TablePlan {
    public enum State { MISSING, CLASSIC, DCR_BASED, REFUSED, HELD }

    /** Log Analytics takes column names of 2 to 45 characters in a Tables API request. */
    static final int MAX_COLUMN_NAME = 45;

    /** A column the table has in another type than the template's. */
    public record Conflict(String column, String tableType, String templateType) {
    }

    /** A request {@code --apply} sends: method, path (no host, no token) and why. */
    public record PlannedRequest(String method, String path, String purpose) {
    }

    final DesiredTable desired;
    /** As read before anything changed; null for a missing table. */
    final ExistingTable existing;
    final State state;
    final List<TableColumn> add = new ArrayList<>();
    final List<Conflict> conflicts = new ArrayList<>();
    final List<TableColumn> kept = new ArrayList<>();
    /**
     * Columns the table has whose names are longer than a request may carry (a classic Ttp_Url_CL's flattened
     * {@code tagMap_…_s}): a PUT must carry them (or delete them) and may be refused for them.
     */
    final List<TableColumn> tooLong = new ArrayList<>();

    private TablePlan(DesiredTable desired, ExistingTable existing) {
        this.desired = desired;
        this.existing = existing;
        if (existing == null) {
            state = State.MISSING;
            add.addAll(desired.columns());
            return;
        }
        State found = switch (existing.subType()) {
            case ExistingTable.CLASSIC -> State.CLASSIC;
            case ExistingTable.DCR_BASED -> State.DCR_BASED;
            default -> State.REFUSED;
        };
        for (TableColumn wanted : desired.columns()) {
            Optional<TableColumn> present = existing.column(wanted.name());
            if (present.isEmpty()) {
                add.add(wanted);
            } else if (!present.get().sameType(wanted)) {
                conflicts.add(new Conflict(wanted.name(), present.get().type(), wanted.type()));
            }
        }
        existing.columns().stream().filter(c -> desired.column(c.name()).isEmpty()).forEach(kept::add);
        existing.columns().stream().filter(c -> c.name().length() > MAX_COLUMN_NAME).forEach(tooLong::add);
        // held rather than tried: a refused PUT after an irreversible migration would leave the table half-done
        boolean needsPut = found == State.CLASSIC || found == State.DCR_BASED && !add.isEmpty();
        state = needsPut && !tooLong.isEmpty() ? State.HELD : found;
    }

    public static TablePlan of(DesiredTable desired, Optional<ExistingTable> existing) {
        return new TablePlan(desired, existing.orElse(null));
    }

    /** Whether {@code --apply} has something to do: create, migrate, or add columns (never for a refused table). */
    public boolean changes() {
        return state == State.MISSING || state == State.CLASSIC || state == State.DCR_BASED && !add.isEmpty();
    }

    /** The requests {@code --apply} sends for this table, in order. */
    public List<PlannedRequest> requests(TablesApi api) {
        List<PlannedRequest> requests = new ArrayList<>();
        if (!changes()) {
            return requests;
        }
        String path = api.path(desired.name());
        if (state == State.MISSING) {
            requests.add(new PlannedRequest("GET", path, "that it is still missing"));
            requests.add(new PlannedRequest("PUT", path, "create it with the template's " + add.size()
                    + " columns"));
        } else {
            if (state == State.CLASSIC) {
                requests.add(new PlannedRequest("POST", api.migratePath(desired.name()), "migrate it to a "
                        + "DCR-based table, its columns and data kept"));
            }
            requests.add(new PlannedRequest("GET", path, "its columns as they are "
                    + (state == State.CLASSIC ? "after the migration" : "just before the PUT")));
            if (!add.isEmpty()) {
                requests.add(new PlannedRequest("PUT", path, "every column it has, as it has it, and the "
                        + add.size() + " to add"));
            }
        }
        requests.add(new PlannedRequest("GET", path, "until the columns are there, then that none it had is gone "
                + "or retyped"));
        return requests;
    }
}
