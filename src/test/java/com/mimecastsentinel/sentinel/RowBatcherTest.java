package com.mimecastsentinel.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RowBatcherTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void batchesStayUnderTheCapAndKnowTheirSize() throws Exception {
        List<ObjectNode> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rows.add(json.createObjectNode().put("id", i).put("text", "x".repeat(100 + i % 37)));
        }
        RowBatcher.Split split = new RowBatcher(json, 10_000).split(rows);

        assertTrue(split.unfit().isEmpty());
        assertEquals(rows, split.batches().stream().flatMap(List::stream).toList(), "every row, in order");
        for (RowBatcher.Batch batch : split.batches()) {
            int sent = json.writeValueAsBytes(batch).length;
            assertTrue(sent <= 10_000, "one request under the cap: " + sent);
            assertEquals(sent + 1, batch.bytes(), "measured size = the JSON array + the last row's comma");
        }
        RowBatcher.Batch first = split.batches().get(0);
        assertTrue(first.bytes() + 200 > 10_000, "a batch is closed only when the next row does not fit");
    }

    @Test
    void rowsNoRequestCanCarryAreHandedBackWithTheReason() {
        ObjectNode huge = json.createObjectNode().put("text", "y".repeat(20_000));
        ObjectNode small = json.createObjectNode().put("text", "z");
        RowBatcher.Split split = new RowBatcher(json, 10_000).split(List.of(huge, small));

        assertEquals(List.of(List.of(small)), split.batches());
        assertEquals(1, split.unfit().size());
        assertTrue(split.unfit().get(0).reason().contains("bytes"), split.unfit().get(0).reason());
    }
}
