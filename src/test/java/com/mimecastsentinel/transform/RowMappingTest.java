package com.mimecastsentinel.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.run.BatchScope;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RowMappingTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final List<String> SIEM_KEY = List.of("processingId", "aggregateId", "type", "subtype", "timestamp",
            "action", "messageId", "accountId");
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> deadLettered = new ArrayList<>();
    private DefaultCamelContext camel;
    private RowMapping siem;

    @BeforeEach
    void setUp() {
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(DeadLetters.BEAN, new DeadLetters(new DeadLetters.Store() {
            @Override
            public boolean write(String name, byte[] document) {
                return deadLettered.add(new String(document, StandardCharsets.UTF_8));
            }

            @Override
            public String describe() {
                return "memory";
            }
        }, Clock.systemUTC(), json, logType -> { }));
        siem = new RowMapping();
        siem.setCamelContext(camel);
        siem.setTime("timestamp");
        siem.setKey(String.join(",", SIEM_KEY));
        siem.setValueField("type");
        siem.setValueColumn("Logtype");
        siem.setValues(Map.of("receipt", "email_receipt"));
        siem.setClock(Clock.fixed(NOW, ZoneOffset.UTC));
        siem.setTimeGenerated("event");
    }

    private RowBatch map(RowMapping mapping, Object body, BatchScope batch) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(body);
        if (batch != null) {
            exchange.setProperty(BatchScope.PROPERTY, batch);
        }
        mapping.process(exchange);
        return exchange.getMessage().getBody(RowBatch.class);
    }

    private static Lines lines(String... text) {
        StringBuilder all = new StringBuilder();
        int[] starts = new int[text.length];
        int[] lengths = new int[text.length];
        for (int i = 0; i < text.length; i++) {
            starts[i] = all.toString().getBytes(StandardCharsets.UTF_8).length;
            lengths[i] = text[i].getBytes(StandardCharsets.UTF_8).length;
            all.append(text[i]);
        }
        return Lines.of("/siem-files/cg/1.json.gz", all.toString().getBytes(StandardCharsets.UTF_8), starts, lengths,
                text.length, 7);
    }

    private static final String RECEIPT = "{\"processingId\":\"p1\",\"aggregateId\":\"a1\",\"type\":\"receipt\","
            + "\"subtype\":\"\",\"timestamp\":1717243200000,\"action\":\"Acc\",\"messageId\":\"<m@x>\","
            + "\"accountId\":\"C0A0\",\"spamProcessingDetail\":{\"spf\":{\"allow\":true}},\"recipients\":[\"a@b\"]}";

    @Test
    void aLineAndTheSameRecordAsATreeMakeTheSameRow() throws Exception {
        RowBatch fromLine = map(siem, lines(RECEIPT), null);
        RowBatch fromTree = map(siem, List.of(json.readTree(RECEIPT)), null);
        assertEquals(1, fromLine.size());
        assertEquals(json.readTree(fromLine.json(0)), json.readTree(fromTree.json(0)));
        JsonNode row = json.readTree(fromLine.json(0));
        assertEquals("2024-06-01T12:00:00Z", row.path("TimeGenerated").asText());
        assertEquals("email_receipt", row.path("Logtype").asText());
        assertEquals(EventIds.of(json.readTree(RECEIPT), null, SIEM_KEY), row.path("mimecastEventId").asText());
        assertEquals(row.path("mimecastEventId").asText(), fromLine.id(0));
        assertEquals(Instant.parse("2024-06-01T12:00:00Z").toEpochMilli(), fromLine.eventMillis(0));
        assertEquals(json.readTree(RECEIPT).path("spamProcessingDetail"), row.path("spamProcessingDetail"),
                "fields are kept as they came");
    }

    @Test
    void keyFieldsOfEveryJsonKindGiveTheIdOfTheRecordAsATreeAndKeepTheirValues() throws Exception {
        RowMapping mapping = new RowMapping();
        mapping.setCamelContext(camel);
        mapping.setTime("timestamp");
        mapping.setKey("small,large,huge,fraction,flag,nothing,text,timestamp");
        mapping.setClock(Clock.fixed(NOW, ZoneOffset.UTC));
        String record = "{\"small\":7,\"large\":17172432000001,\"huge\":123456789012345678901234567890,"
                + "\"fraction\":1.50,\"flag\":true,\"nothing\":null,\"text\":\"Grüße ✉\",\"timestamp\":1717243200000}";
        RowBatch rows = map(mapping, lines(record), null);
        JsonNode tree = json.readTree(record);
        assertEquals(EventIds.of(tree, null, List.of("small", "large", "huge", "fraction", "flag", "nothing", "text",
                "timestamp")), rows.id(0));
        JsonNode row = json.readTree(rows.json(0));
        tree.fields().forEachRemaining(field -> assertEquals(field.getValue(), row.get(field.getKey()),
                field.getKey()));
    }

    @Test
    void ourColumnsReplaceFieldsOfTheSameName() throws Exception {
        RowBatch rows = map(siem, lines("{\"timestamp\":1717243200000,\"type\":\"spam\",\"TimeGenerated\":\"x\","
                + "\"mimecastEventId\":\"forged\",\"Logtype\":\"y\"}"), null);
        JsonNode row = json.readTree(rows.json(0));
        assertEquals("2024-06-01T12:00:00Z", row.path("TimeGenerated").asText());
        assertEquals("spam", row.path("Logtype").asText(), "a value not listed is copied as it is");
        assertFalse(row.path("mimecastEventId").asText().equals("forged"));
        assertEquals(List.of("timestamp", "type", "TimeGenerated", "mimecastEventId", "Logtype"),
                iterable(row.fieldNames()), "each column once");
    }

    @Test
    void linesThatAreNoJsonObjectGoToTheDeadLettersAndTheRestIsMapped() throws Exception {
        BatchScope run = new BatchScope("siem", null, null, true);
        RowBatch rows = map(siem, lines(RECEIPT, "{\"timestamp\":17", "", "[1,2]", RECEIPT.replace("p1", "p2")), run);
        assertEquals(2, rows.size());
        assertEquals(2, deadLettered.size(), "the broken line and the array, not the blank one");
        assertTrue(deadLettered.get(0).contains("line 8 is not a JSON object"), deadLettered.get(0));
        assertTrue(deadLettered.get(1).contains("line 10 is not a JSON object"), deadLettered.get(1));
        assertEquals(2, run.skipped.sum());
    }

    @Test
    void rowsOutsideTheRunsDaysAreLeftOut() throws Exception {
        BatchScope run = new BatchScope("siem", Instant.parse("2024-06-01T12:00:00Z"),
                Instant.parse("2024-06-01T13:00:00Z"), true);
        RowBatch rows = map(siem, lines(RECEIPT, RECEIPT.replace("1717243200000", "1717243199999"),
                RECEIPT.replace("1717243200000", "1717246800000")), run);
        assertEquals(1, rows.size(), "the one at the start is kept, the one before and the one at the end are not");
        assertEquals(2, run.skipped.sum());
    }

    @Test
    void aRecordWithoutItsOwnIdOrATimeGetsAHashAndTheTimeItWasRead() throws Exception {
        RowMapping audit = new RowMapping();
        audit.setCamelContext(camel);
        audit.setTime("eventTime");
        audit.setId("id");
        audit.setKey("eventTime,user");
        audit.setClock(Clock.fixed(NOW, ZoneOffset.UTC));
        audit.setTimeGenerated("event");
        ObjectNode withId = json.createObjectNode().put("id", "eNo1").put("eventTime", "2024-05-01T10:00:00+0000");
        ObjectNode withoutId = json.createObjectNode().put("user", "u").put("eventTime", "not a time");
        RowBatch rows = map(audit, List.of(withId, withoutId), null);
        assertEquals("eNo1", rows.id(0));
        assertEquals("2024-05-01T10:00:00Z", json.readTree(rows.json(0)).path("TimeGenerated").asText());
        assertEquals(EventIds.of(withoutId, "id", List.of("eventTime", "user")), rows.id(1));
        assertEquals(NOW.toString(), json.readTree(rows.json(1)).path("TimeGenerated").asText());
    }

    @Test
    void aStepChangesARowAsAMapAndThatIsWhatIsSentAndWritten() throws Exception {
        RowBatch rows = map(siem, lines(RECEIPT, RECEIPT.replace("p1", "p2")), null);
        rows.get(1).put("Tenant", "contoso");
        rows.remove(0);
        String ndjson = new String(rows.toNdjson(), StandardCharsets.UTF_8);
        assertEquals(1, ndjson.lines().count());
        JsonNode row = json.readTree(ndjson.lines().findFirst().orElseThrow());
        assertEquals("contoso", row.path("Tenant").asText());
        assertEquals("p2", row.path("processingId").asText());
        assertEquals(ndjson, camel.getTypeConverter().convertTo(String.class, rowsWithConverters(rows)));
    }

    /** A mapping declared as a log type's route declares it: the table's columns, renames, flattened fields. */
    private RowMapping declared(String columns) {
        RowMapping mapping = new RowMapping();
        mapping.setCamelContext(camel);
        mapping.setTime("eventTime");
        mapping.setKey("id");
        mapping.setColumns(columns);
        mapping.setRenames(Map.of("type", "type_", "_offset", "offset"));
        mapping.setFlatten("tagMap");
        return mapping;
    }

    private static final String IMPERSONATION = "{\"id\":\"x1\",\"eventTime\":\"2024-05-01T10:00:00+0000\","
            + "\"hits\":\"2\",\"taggedExternal\":\"true\",\"impersonationResults\":[{\"similarDomain\":\"a.b\"}],"
            + "\"identifiers\":[\"newly_observed_domain\"],\"type\":\"entities\",\"_offset\":5,\"extra\":\"e\"}";

    /**
     * mimecastAccount is the connector's column (the sink adds it where the tables declare it): a record's own field
     * of that name goes to AdditionalFields, even when the table declares the column, and even as the id; the sink's
     * column then comes once, after the row's own (raw bytes: a parser would hide a key written twice).
     */
    @Test
    void aRecordsOwnMimecastAccountGoesToAdditionalFieldsAndTheSinksColumnComesOnce() throws Exception {
        for (RowMapping mapping : List.of(declared("id, eventTime:datetime, mimecastAccount"), keyed("mimecastAccount"))) {
            RowBatch rows = map(mapping, lines("{\"id\":\"a\",\"eventTime\":\"2024-05-01T10:00:00+0000\","
                    + "\"mimecastAccount\":\"forged\"}"), null);
            JsonNode row = json.readTree(rows.json(0));
            assertFalse(row.has("mimecastAccount"), row.toString());
            assertEquals("forged", row.path("AdditionalFields").path("mimecastAccount").asText(), row.toString());
            String sent = new String(rows.withColumn(RowMapping.ACCOUNT, "acme \"q\"").json(0), StandardCharsets.UTF_8);
            assertEquals(1, sent.split("\"mimecastAccount\":\"acme").length - 1, sent);
            assertTrue(sent.endsWith(",\"mimecastAccount\":\"acme \\\"q\\\"\"}"), sent);
            assertEquals("acme \"q\"", json.readTree(sent).path("mimecastAccount").asText());
        }
    }

    /** A mapping whose id is the given field. */
    private RowMapping keyed(String id) {
        RowMapping mapping = declared("id, eventTime:datetime");
        mapping.setId(id);
        return mapping;
    }

    /** withColumn leaves the batch it was made from as it was, and adds the column to rows taken as maps too. */
    @Test
    void aColumnAddedToABatchIsInEveryRowOfItsOwnOnly() throws Exception {
        RowBatch rows = map(declared("id, eventTime:datetime"), lines("{\"id\":\"a\",\"eventTime\":"
                + "\"2024-05-01T10:00:00+0000\"}", "{\"id\":\"b\",\"eventTime\":\"2024-05-01T10:00:01+0000\"}"), null);
        rows.get(1).put("changed", true); // a step's change: the row is a map from now on
        RowBatch with = rows.withColumn("mimecastAccount", "acme");
        for (int i = 0; i < 2; i++) {
            assertEquals("acme", json.readTree(with.json(i)).path("mimecastAccount").asText());
            assertEquals(with.json(i).length, with.jsonLength(i));
            assertFalse(json.readTree(rows.json(i)).has("mimecastAccount"), "the original batch is left as it was");
        }
        assertTrue(json.readTree(with.slice(1, 2).json(0)).path("changed").asBoolean());
        assertEquals("acme", json.readTree(with.slice(1, 2).json(0)).path("mimecastAccount").asText(), "in a slice");
        rows.get(0).put("mimecastAccount", "set by a step");
        assertEquals(1, new String(rows.withColumn("mimecastAccount", "acme").json(0), StandardCharsets.UTF_8)
                .split("mimecastAccount").length - 1, "a step's own value gives way, the key comes once");
        assertEquals("acme", json.readTree(rows.withColumn("mimecastAccount", "acme").json(0)).path("mimecastAccount")
                .asText());
        assertEquals(rows.withColumn("mimecastAccount", "acme").json(0).length, rows.withColumn("mimecastAccount",
                "acme").jsonLength(0));
        RowBatch empty = new RowBatch();
        empty.add(new java.util.LinkedHashMap<>(), "x", 0);
        assertEquals("{\"k\":\"v\"}", new String(empty.withColumn("k", "v").json(0), StandardCharsets.UTF_8));
    }

    @Test
    void byDefaultTimeGeneratedIsLeftToTheRuleAndTheEventTimeStaysInItsColumn() throws Exception {
        RowMapping mapping = declared("id, eventTime:datetime");
        RowBatch rows = map(mapping, lines("{\"id\":\"a\",\"eventTime\":\"2024-05-01T10:00:00+0000\"}"), null);
        JsonNode row = json.readTree(rows.json(0));
        assertFalse(row.has("TimeGenerated"), row.toString());
        assertEquals("2024-05-01T10:00:00Z", row.path("eventTime").asText(), "as ISO-8601 UTC");
        assertEquals(Instant.parse("2024-05-01T10:00:00Z").toEpochMilli(), rows.eventMillis(0));
    }

    @Test
    void fieldsGoToTheirColumnsInTheColumnsTypesAndTheRestToAdditionalFields() throws Exception {
        RowMapping mapping = declared("id, eventTime:datetime, hits:real, taggedExternal:boolean, "
                + "impersonationResults, identifiers:dynamic, type_, offset:real");
        BatchScope run = new BatchScope("ttp-impersonation", null, null, true);
        RowBatch fromLine = map(mapping, lines(IMPERSONATION), run);
        RowBatch fromTree = map(mapping, List.of(json.readTree(IMPERSONATION)), null);
        JsonNode row = json.readTree(fromLine.json(0));
        assertEquals(row, json.readTree(fromTree.json(0)), "one mapping for lines and records");
        assertEquals("x1", row.path("id").asText(), "id kept");
        assertEquals("2024-05-01T10:00:00Z", row.path("eventTime").asText());
        assertEquals(2, row.path("hits").asInt());
        assertTrue(row.path("hits").isNumber());
        assertTrue(row.path("taggedExternal").isBoolean() && row.path("taggedExternal").asBoolean());
        assertEquals("[{\"similarDomain\":\"a.b\"}]", row.path("impersonationResults").asText(), "JSON text");
        assertTrue(row.path("identifiers").isArray());
        assertEquals("entities", row.path("type_").asText());
        assertEquals(5, row.path("offset").asInt());
        assertFalse(row.has("type") || row.has("_offset") || row.has("extra"), row.toString());
        assertEquals(json.readTree("{\"extra\":\"e\"}"), row.path("AdditionalFields"));
        assertEquals(1, run.additionalFields.sum());
    }

    @Test
    void aValueItsColumnCannotTakeIsKeptInAdditionalFields() throws Exception {
        RowMapping mapping = declared("id, eventTime:datetime, hits:real");
        RowBatch rows = map(mapping, List.of(json.readTree("{\"id\":\"a\",\"eventTime\":\"soon\",\"hits\":\"many\"}")),
                null);
        JsonNode row = json.readTree(rows.json(0));
        assertFalse(row.has("eventTime") || row.has("hits"), row.toString());
        assertEquals(json.readTree("{\"eventTime\":\"soon\",\"hits\":\"many\"}"), row.path("AdditionalFields"));
    }

    @Test
    void tagMapIsFlattenedIntoTheOfficialColumnNamesWithArraysAsJsonText() throws Exception {
        RowMapping mapping = declared("id, tagMap_DangerousFileExt_Status, tagMap_DangerousFileExt_Inspect_FileExts");
        RowBatch rows = map(mapping, lines("{\"id\":\"a\",\"tagMap\":{\"DangerousFileExt\":{\"Status\":"
                + "[\"CustomerSpecific\",\"VerdictBlock\"],\"Inspect:FileExts\":[\"[exe]\"],\"Other:Key\":[\"x\"]}}}"),
                null);
        JsonNode row = json.readTree(rows.json(0));
        assertEquals("[\"CustomerSpecific\",\"VerdictBlock\"]", row.path("tagMap_DangerousFileExt_Status").asText());
        assertEquals("[\"[exe]\"]", row.path("tagMap_DangerousFileExt_Inspect_FileExts").asText());
        assertEquals(json.readTree("[\"x\"]"), row.path("AdditionalFields").path("tagMap_DangerousFileExt_Other_Key"),
                "a leaf the table has no column for");
        assertFalse(row.has("tagMap"));
    }

    @Test
    void theEventTimeGoesToATimeMillisColumnUnlessTheRecordHasThatColumnItself() throws Exception {
        RowMapping mapping = declared("id, timestamp:real");
        mapping.setTimeMillis("timestamp");
        RowBatch rows = map(mapping, lines("{\"id\":\"a\",\"eventTime\":\"2024-05-01T10:00:00+0100\"}",
                "{\"id\":\"b\",\"eventTime\":\"2024-05-01T10:00:00+0100\",\"timestamp\":5}",
                "{\"id\":\"c\",\"eventTime\":\"never\"}"), null);
        JsonNode withTime = json.readTree(rows.json(0));
        assertEquals(Instant.parse("2024-05-01T09:00:00Z").toEpochMilli(), withTime.path("timestamp").asLong());
        assertEquals("2024-05-01T10:00:00+0100", withTime.path("AdditionalFields").path("eventTime").asText(),
                "the field itself kept");
        assertEquals(5, json.readTree(rows.json(1)).path("timestamp").asLong(), "the record's own, once");
        assertFalse(json.readTree(rows.json(2)).has("timestamp"), "no time read: no column, not the time read");
        RowMapping wrong = declared("id");
        wrong.setTimeMillis("timestamp");
        IllegalArgumentException undeclared = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> map(wrong, lines("{\"id\":\"a\"}"), null));
        assertTrue(undeclared.getMessage().contains("timeMillis"), undeclared.getMessage());
    }

    @Test
    void theFieldAValueColumnIsLookedUpFromIsNotSentTwice() throws Exception {
        siem.setColumns("timestamp:real, Logtype, processingId");
        JsonNode row = json.readTree(map(siem, lines(RECEIPT), null).json(0));
        assertEquals("email_receipt", row.path("Logtype").asText());
        assertFalse(row.has("type") || row.path("AdditionalFields").has("type"), row.toString());
        assertEquals(1717243200000L, row.path("timestamp").asLong());
    }

    @Test
    void aWrongDeclarationStopsStartUpNamingIt() {
        RowMapping mapping = new RowMapping();
        IllegalArgumentException time = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> mapping.setTimeGenerated("later"));
        assertTrue(time.getMessage().contains("TIME_GENERATED"), time.getMessage());
        IllegalArgumentException cased = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> mapping.setColumns("subject, Subject"));
        assertTrue(cased.getMessage().contains("differ only by case"), cased.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> mapping.setColumns("size:number"));
    }

    private Object rowsWithConverters(RowBatch rows) {
        RowBatchConverters.register(camel);
        return rows;
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
