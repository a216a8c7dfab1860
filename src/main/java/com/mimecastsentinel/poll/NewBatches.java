package com.mimecastsentinel.poll;

import java.util.Iterator;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.sentinel.RowBatcher;
import com.mimecastsentinel.transform.RowMapper;

/**
 * The batches to send from a run's rows, made as the route asks for them: rows already delivered or outside the
 * run are dropped, the rest are cut into requests. Only the batch being filled
 * is held, so a big file streams through in constant memory.
 */
final class NewBatches extends LookAhead<RowBatcher.Batch> {

    /** Rows with where each came from (a line of a file); 0 where the source has no positions. */
    interface Rows extends Iterator<RowMapper.Row> {
        /** The position of the row {@link #next()} returned last. */
        default long position() {
            return 0;
        }

        /** The rows of records that come as trees. */
        static Rows of(Iterator<ObjectNode> records, Function<ObjectNode, RowMapper.Row> map) {
            return new Rows() {
                @Override
                public boolean hasNext() {
                    return records.hasNext();
                }

                @Override
                public RowMapper.Row next() {
                    return map.apply(records.next());
                }
            };
        }
    }

    private final LogTypeBase type;
    private final LogTypeRun run;
    private final Rows rows;
    private final RowBatcher.Cutter cutter;

    NewBatches(LogTypeBase type, LogTypeRun run, Rows rows, RowBatcher.Cutter cutter) {
        this.type = type;
        this.run = run;
        this.rows = rows;
        this.cutter = cutter;
    }

    @Override
    protected RowBatcher.Batch compute() {
        while (rows.hasNext()) {
            RowMapper.Row row = rows.next();
            if (type.isNew(run, row)) {
                RowBatcher.Batch full = cutter.add(row.fields(), row.json(), row.eventTime().toEpochMilli(),
                        rows.position(), unfit -> type.unfit(run, unfit));
                if (full != null) {
                    return full;
                }
            }
        }
        return cutter.finish();
    }
}
