package com.mimecastsentinel.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RowBatcherTest {
    private final ObjectMapper json = new ObjectMapper();

    /** Rows through a cutter, as a run feeds them; the event time is 1000 + i ms, the position i + 1. */
    private List<RowBatcher.Batch> cut(RowBatcher.Cutter cutter, List<ObjectNode> rows,
            List<EventSink.Rejected> unfit) {
        List<RowBatcher.Batch> batches = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            RowBatcher.Batch closed = cutter.add(rows.get(i), null, 1000 + i, i + 1, unfit::add);
            if (closed != null) {
                batches.add(closed);
            }
        }
        RowBatcher.Batch last = cutter.finish();
        if (last != null) {
            batches.add(last);
        }
        assertNull(cutter.finish(), "nothing left after the last batch");
        return batches;
    }

    @Test
    void batchesStayUnderTheCapAndKnowTheirSizeNewestEventAndPosition() throws Exception {
        List<ObjectNode> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rows.add(json.createObjectNode().put("id", i).put("text", "x".repeat(100 + i % 37)));
        }
        List<EventSink.Rejected> unfit = new ArrayList<>();
        List<RowBatcher.Batch> batches = cut(new RowBatcher(json, 10_000).cutter(), rows, unfit);

        assertTrue(unfit.isEmpty());
        assertEquals(rows, batches.stream().flatMap(List::stream).toList(), "every row, in order");
        int before = 0;
        for (RowBatcher.Batch batch : batches) {
            int sent = json.writeValueAsBytes(batch).length;
            assertTrue(sent <= 10_000, "one request under the cap: " + sent);
            assertEquals(sent + 1, batch.bytes(), "measured size = the JSON array + the last row's comma");
            before += batch.size();
            assertEquals(before, batch.position(), "the position of its last row");
            assertEquals(Instant.ofEpochMilli(1000 + before - 1), batch.newestEvent());
        }
        assertTrue(batches.get(0).bytes() + 200 > 10_000, "a batch is closed only when the next row does not fit");
    }

    @Test
    void aDestinationThatCountsRowsGetsBatchesCutByCountOnly() {
        List<ObjectNode> rows = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            rows.add(json.createObjectNode().put("id", i).put("text", "x".repeat(i == 3 ? 20_000 : 10)));
        }
        List<EventSink.Rejected> unfit = new ArrayList<>();
        List<RowBatcher.Batch> batches = cut(new RowBatcher(json, 10_000).cutter(10), rows, unfit);
        assertEquals(List.of(10, 10, 5), batches.stream().map(List::size).toList());
        assertTrue(unfit.isEmpty(), "Log Analytics' limits are not theirs");
    }

    @Test
    void rowsNoRequestCanCarryAreHandedBackWithTheReason() {
        ObjectNode huge = json.createObjectNode().put("text", "y".repeat(20_000));
        ObjectNode small = json.createObjectNode().put("text", "z");
        List<EventSink.Rejected> unfit = new ArrayList<>();
        List<RowBatcher.Batch> batches = cut(new RowBatcher(json, 10_000).cutter(), List.of(huge, small), unfit);

        assertEquals(List.of(List.of(small)), batches);
        assertEquals(1, unfit.size());
        assertTrue(unfit.get(0).reason().contains("bytes"), unfit.get(0).reason());
    }

    @Test
    void rowsThatComeAsJsonAreParsedOnlyWhenAskedFor() throws Exception {
        ObjectNode row = json.createObjectNode().put("id", 7).put("text", "as written");
        byte[] written = json.writeValueAsBytes(row);
        RowBatcher.Cutter cutter = new RowBatcher(json, 10_000).cutter();
        cutter.add(null, written, 1000, 1, unfit -> { throw new AssertionError(unfit.reason()); });
        RowBatcher.Batch batch = cutter.finish();

        assertEquals(written, batch.serialized().get(0), "sent as written, not serialized again");
        assertEquals(written.length + 3, batch.bytes());
        assertEquals(row, batch.get(0), "the same row as a tree, when a sink needs one");
    }
}
