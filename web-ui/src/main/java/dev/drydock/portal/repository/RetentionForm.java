package dev.drydock.portal.repository;

import dev.drydock.portal.FrontDoor;
import io.quarkus.qute.TemplateData;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The retention rules' form: a row per rule (the tags it looks at, what it does, its number or
 * age) and two blank rows for new ones, and the protected tag patterns one per line. Whether the
 * rules make sense is registry-api's to say; this only turns rows into rules and back.
 *
 * @param action where the form posts to
 * @param stored the rules as stored, or null when there are none
 */
@TemplateData // read in the included retentionForm template
public record RetentionForm(String action, FrontDoor.StoredRetention stored, List<Row> rows, String protect) {

    private static final int BLANK_ROWS = 2;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");

    /** One rule's row; {@code kind} is {@code keepLast}, {@code olderThan} or {@code notPulledFor}. */
    @TemplateData
    public record Row(String tags, String kind, String value) {}

    /** A row the visitor filled in wrongly, with what to say about it. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    public static RetentionForm of(String action, FrontDoor.StoredRetention stored) {
        List<Row> rows = new ArrayList<>();
        String protect = "";
        if (stored != null && stored.policy() != null) {
            for (FrontDoor.RetentionRule rule : stored.policy().rules() == null
                    ? List.<FrontDoor.RetentionRule>of()
                    : stored.policy().rules()) {
                rows.add(
                        rule.keepLast() != null
                                ? new Row(
                                        rule.tags(), "keepLast", rule.keepLast().toString())
                                : rule.olderThan() != null
                                        ? new Row(rule.tags(), "olderThan", rule.olderThan())
                                        : new Row(rule.tags(), "notPulledFor", rule.notPulledFor()));
            }
            if (stored.policy().protect() != null) {
                protect = String.join("\n", stored.policy().protect());
            }
        }
        return withBlankRows(action, stored, rows, protect);
    }

    /**
     * The form with the rules {@code read} answers: empty on a 404 (there are none), null on any
     * other failure, so that a blank form never replaces rules it failed to show.
     */
    public static RetentionForm read(String action, Supplier<FrontDoor.StoredRetention> read) {
        try {
            return of(action, read.get());
        } catch (WebApplicationException e) {
            return e.getResponse().getStatus() == 404 ? of(action, null) : null;
        } catch (ProcessingException e) {
            return null;
        }
    }

    /** The form as submitted (to show it again, with the problem, when it is refused). */
    public static RetentionForm submitted(
            String action,
            FrontDoor.StoredRetention stored,
            List<String> tags,
            List<String> kinds,
            List<String> values,
            String protect) {
        List<Row> rows = new ArrayList<>();
        int count = Math.max(size(tags), Math.max(size(kinds), size(values)));
        for (int i = 0; i < count; i++) {
            Row row = new Row(at(tags, i), at(kinds, i), at(values, i));
            if (!row.tags().isEmpty() || !row.value().isEmpty()) {
                rows.add(row);
            }
        }
        return withBlankRows(action, stored, rows, protect == null ? "" : protect);
    }

    /**
     * The rules the filled rows describe.
     *
     * @throws Invalid naming a row that says no number where one is needed, or no kind of rule
     */
    public List<FrontDoor.RetentionRule> rules() {
        List<FrontDoor.RetentionRule> rules = new ArrayList<>();
        for (Row row : rows) {
            if (row.tags().isEmpty() && row.value().isEmpty()) {
                continue;
            }
            String tags = row.tags().isEmpty() ? "*" : row.tags();
            switch (row.kind()) {
                case "keepLast" -> {
                    if (!WHOLE_NUMBER
                            .matcher(row.value())
                            .matches()) { // Integer.valueOf takes "+5" and other scripts' digits
                        throw new Invalid(
                                "\"Keep the last\" needs a whole number of tags, not \"" + row.value() + "\".");
                    }
                    rules.add(new FrontDoor.RetentionRule(tags, Integer.valueOf(row.value()), null, null));
                }
                case "olderThan" -> rules.add(new FrontDoor.RetentionRule(tags, null, row.value(), null));
                case "notPulledFor" -> rules.add(new FrontDoor.RetentionRule(tags, null, null, row.value()));
                default -> throw new Invalid("Choose what the rule for " + tags + " does.");
            }
        }
        return rules;
    }

    public List<String> protectPatterns() {
        return protect.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .toList();
    }

    private static RetentionForm withBlankRows(
            String action, FrontDoor.StoredRetention stored, List<Row> rows, String protect) {
        for (int i = 0; i < BLANK_ROWS; i++) {
            rows.add(new Row("", "keepLast", ""));
        }
        return new RetentionForm(action, stored, List.copyOf(rows), protect);
    }

    private static int size(List<String> values) {
        return values == null ? 0 : values.size();
    }

    private static String at(List<String> values, int i) {
        return values == null || i >= values.size() || values.get(i) == null
                ? ""
                : values.get(i).strip();
    }
}
