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
    void aBatchHeldBackIsFilledUpFirst() throws Exception {
        RowBatcher batcher = new RowBatcher(json, 10_000);
        List<ObjectNode> first = new ArrayList<>();
        List<ObjectNode> second = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            (i < 60 ? first : second).add(json.createObjectNode().put("id", i).put("text", "x".repeat(100)));
        }
        List<RowBatcher.Batch> earlier = batcher.split(first).batches();
        RowBatcher.Batch heldBack = earlier.get(earlier.size() - 1);
        int held = heldBack.size();

        List<RowBatcher.Batch> later = batcher.split(heldBack, second).batches();
        assertTrue(later.get(0).size() > held, "the held batch took rows of the next chunk");
        assertEquals(first.subList(first.size() - held, first.size()), later.get(0).subList(0, held));
        for (RowBatcher.Batch batch : later) {
            assertEquals(json.writeValueAsBytes(batch).length + 1, batch.bytes());
            assertTrue(batch.bytes() <= 10_000);
        }
        assertEquals(held + second.size(), later.stream().mapToInt(List::size).sum());
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
