package com.mimecastsentinel.poll;

import java.util.Iterator;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.sentinel.RowBatcher;
import com.mimecastsentinel.transform.RowMapper;

/**
 * The batches to send from a run's records, made as the route asks for them: each record becomes a row, rows
 * already delivered or outside the run are dropped, the rest are cut into requests. Only the batch being filled
 * is held, so a big file streams through in constant memory.
 */
final class NewBatches implements Iterator<RowBatcher.Batch> {

    /** Records with where each came from (a line of a file); 0 where the source has no positions. */
    interface Records extends Iterator<ObjectNode> {
        /** The position of the record {@link #next()} returned last. */
        default long position() {
            return 0;
        }

        static Records of(Iterator<ObjectNode> records) {
            return new Records() {
                @Override
                public boolean hasNext() {
                    return records.hasNext();
                }

                @Override
                public ObjectNode next() {
                    return records.next();
                }
            };
        }
    }

    private final LogTypeBase type;
    private final LogTypeRun run;
    private final Records records;
    private final RowBatcher.Cutter cutter;
    private RowBatcher.Batch next;
    private boolean finished;

    NewBatches(LogTypeBase type, LogTypeRun run, Records records, RowBatcher.Cutter cutter) {
        this.type = type;
        this.run = run;
        this.records = records;
        this.cutter = cutter;
    }

    @Override
    public boolean hasNext() {
        while (next == null && !finished) {
            if (records.hasNext()) {
                RowMapper.Row row = type.newRow(run, records.next());
                if (row != null) {
                    next = cutter.add(row.fields(), row.eventTime().toEpochMilli(), records.position(),
                            unfit -> type.unfit(run, unfit));
                }
            } else {
                finished = true;
                next = cutter.finish();
            }
        }
        return next != null;
    }

    @Override
    public RowBatcher.Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RowBatcher.Batch batch = next;
        next = null;
        return batch;
    }
}
