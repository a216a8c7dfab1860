package com.mimecastsentinel.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** What the check command found, in the order it checked: a table for people, JSON for automation. */
public final class CheckReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final List<CheckResult> results = new ArrayList<>();

    public synchronized void add(CheckResult result) {
        results.add(result);
    }

    public synchronized List<CheckResult> results() {
        return List.copyOf(results);
    }

    /** Whether a run of these settings would work: nothing failed. */
    public boolean passed() {
        return results().stream().noneMatch(r -> r.result() == CheckResult.Outcome.FAIL);
    }

    /** 0 when everything a run needs works, 1 otherwise. */
    public int exitStatus() {
        return passed() ? 0 : 1;
    }

    /** One line per check (result, check, detail), and under a check that did not pass, what to do. */
    public String text() {
        List<CheckResult> all = results();
        int width = all.stream().mapToInt(r -> r.check().length()).max().orElse(5);
        StringBuilder text = new StringBuilder();
        Map<CheckResult.Outcome, Long> counts = all.stream().collect(Collectors.groupingBy(CheckResult::result,
                Collectors.counting()));
        text.append("check: ").append(passed() ? "a run of these settings has what it needs"
                : "a run of these settings would fail").append(" (")
                .append(List.of(CheckResult.Outcome.values()).stream().filter(counts::containsKey)
                        .map(o -> counts.get(o) + " " + o.name().toLowerCase(java.util.Locale.ROOT))
                        .collect(Collectors.joining(", ")))
                .append(')').append(System.lineSeparator()).append(System.lineSeparator());
        text.append(String.format("%-6s %-" + width + "s %s%n", "RESULT", "CHECK", "DETAIL"));
        for (CheckResult result : all) {
            text.append(String.format("%-6s %-" + width + "s %s%n", result.result(), result.check(),
                    result.detail()));
            if (result.fix() != null && result.result() != CheckResult.Outcome.PASS) {
                text.append(String.format("%-6s %-" + width + "s what to do: %s%n", "", "", result.fix()));
            }
        }
        return text.toString();
    }

    /** {@code {"passed": …, "checks": [{"check", "result", "detail", "fix"}…]}}. */
    public String json() {
        Function<CheckResult, Map<String, Object>> row = r -> {
            Map<String, Object> map = new java.util.LinkedHashMap<>();
            map.put("check", r.check());
            map.put("result", r.result().name());
            map.put("detail", r.detail());
            map.put("fix", r.fix());
            return map;
        };
        Map<String, Object> document = new java.util.LinkedHashMap<>();
        document.put("passed", passed());
        document.put("checks", results().stream().map(row).toList());
        try {
            return JSON.writeValueAsString(document) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
