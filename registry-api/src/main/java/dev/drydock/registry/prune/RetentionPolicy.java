package dev.drydock.registry.prune;

import dev.drydock.registry.identity.IdentityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tags a repository keeps, in the style of AWS ECR lifecycle policies. Each rule picks the
 * tags matching its pattern and removes some of them: all but the {@code keepLast} most recently
 * pointed, those pointed longer than {@code olderThan} ago, or those not pulled (nor pushed) for
 * {@code notPulledFor}. A tag goes when any rule removes it, unless it matches a {@code protect}
 * pattern; protected tags neither go nor count towards a {@code keepLast}. Patterns are globs over
 * tag names ({@code v*}, {@code pr-?}, {@code *}); ages are {@code 30d}, {@code 12h}, {@code 90m},
 * {@code 45s} or sums of them ({@code 1d12h}). Removing a tag leaves its manifest to the prune of
 * dangling manifests that follows.
 */
public record RetentionPolicy(List<Rule> rules, List<String> protect) {

    static final int MAX_RULES = 20;
    private static final Pattern GLOB = Pattern.compile("^[A-Za-z0-9_.*?-]{1,128}$");
    private static final Pattern AGE =
            Pattern.compile("^(?:(\\d{1,5})d)?(?:(\\d{1,6})h)?(?:(\\d{1,8})m)?(?:(\\d{1,10})s)?$");

    /** One rule: {@code tags} (default {@code *}) and exactly one of the three ways to remove. */
    public record Rule(String tags, Integer keepLast, String olderThan, String notPulledFor) {}

    /** A tag as the rules see it: when it was last pointed at a manifest, and when that manifest was last pulled. */
    public record TagState(String name, Instant pointedAt, Instant pulledAt) {

        Instant lastUsed() {
            return pulledAt == null || pulledAt.isBefore(pointedAt) ? pointedAt : pulledAt;
        }
    }

    /**
     * The policy as given, checked: a 400 naming the problem for anything that does not parse.
     * Missing patterns become {@code *}; a missing protect list becomes empty.
     */
    public static RetentionPolicy validated(RetentionPolicy asked) {
        if (asked == null || asked.rules() == null || asked.rules().isEmpty()) {
            throw invalid("rules", "Give at least one rule, such as {\"tags\":\"*\",\"keepLast\":10}.");
        }
        if (asked.rules().size() > MAX_RULES
                || (asked.protect() != null && asked.protect().size() > MAX_RULES)) {
            throw invalid("rules", "At most " + MAX_RULES + " rules and " + MAX_RULES + " protected patterns.");
        }
        List<Rule> rules = new ArrayList<>();
        for (Rule rule : asked.rules()) {
            if (rule == null) {
                throw invalid("rules", "A rule is empty.");
            }
            String tags = rule.tags() == null ? "*" : rule.tags().strip();
            glob(tags, "rules");
            int ways = (rule.keepLast() == null ? 0 : 1)
                    + (rule.olderThan() == null ? 0 : 1)
                    + (rule.notPulledFor() == null ? 0 : 1);
            if (ways != 1) {
                throw invalid(
                        "rules",
                        "Each rule has exactly one of keepLast, olderThan and notPulledFor (the rule for " + tags
                                + " has " + ways + ").");
            }
            if (rule.keepLast() != null && (rule.keepLast() < 0 || rule.keepLast() > 100_000)) {
                throw invalid("rules", "keepLast is a count from 0 to 100000, not " + rule.keepLast() + ".");
            }
            rules.add(new Rule(
                    tags,
                    rule.keepLast(),
                    rule.olderThan() == null ? null : canonicalAge(rule.olderThan(), "olderThan"),
                    rule.notPulledFor() == null ? null : canonicalAge(rule.notPulledFor(), "notPulledFor")));
        }
        List<String> protect = new ArrayList<>();
        for (String pattern : asked.protect() == null ? List.<String>of() : asked.protect()) {
            if (pattern == null) {
                throw invalid("protect", "A protected pattern is empty.");
            }
            protect.add(glob(pattern.strip(), "protect"));
        }
        return new RetentionPolicy(List.copyOf(rules), List.copyOf(protect));
    }

    /** The tags the rules remove now, by name, in the order the tags were given. */
    public Set<String> removals(List<TagState> tags, Instant now) {
        List<TagState> candidates =
                tags.stream().filter(tag -> !isProtected(tag.name())).toList();
        Set<String> removed = new LinkedHashSet<>();
        for (Rule rule : rules) {
            List<TagState> matching = candidates.stream()
                    .filter(tag -> matches(rule.tags(), tag.name()))
                    .toList();
            if (rule.keepLast() != null) {
                matching.stream()
                        .sorted(Comparator.comparing(TagState::pointedAt)
                                .reversed()
                                .thenComparing(TagState::name))
                        .skip(rule.keepLast())
                        .forEach(tag -> removed.add(tag.name()));
            } else if (rule.olderThan() != null) {
                Instant before = now.minus(age(rule.olderThan()));
                matching.stream()
                        .filter(tag -> tag.pointedAt().isBefore(before))
                        .forEach(tag -> removed.add(tag.name()));
            } else {
                Instant before = now.minus(age(rule.notPulledFor()));
                matching.stream()
                        .filter(tag -> tag.lastUsed().isBefore(before))
                        .forEach(tag -> removed.add(tag.name()));
            }
        }
        List<String> inOrder =
                tags.stream().map(TagState::name).filter(removed::contains).toList();
        return new LinkedHashSet<>(inOrder);
    }

    boolean isProtected(String tag) {
        return protect.stream().anyMatch(pattern -> matches(pattern, tag));
    }

    static Duration age(String text) {
        Matcher m = AGE.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException("not an age: " + text);
        }
        return Duration.ofDays(number(m.group(1)))
                .plusHours(number(m.group(2)))
                .plusMinutes(number(m.group(3)))
                .plusSeconds(number(m.group(4)));
    }

    private static String canonicalAge(String text, String field) {
        String value = text.strip();
        try {
            age(value);
            return value;
        } catch (IllegalArgumentException e) {
            throw invalid("rules", field + " must be an age such as 30d, 12h, 90m or 1d12h, not " + value + ".");
        }
    }

    private static String glob(String pattern, String field) {
        if (!GLOB.matcher(pattern).matches()) {
            throw invalid(
                    field, "A tag pattern has the characters of tags with * and ?, at most 128: not " + pattern + ".");
        }
        return pattern;
    }

    /**
     * Whether the glob matches the whole tag: {@code *} any run of characters, {@code ?} one. Greedy
     * with a single backtrack point (the last star), so at most length × length steps: a pattern of
     * many stars cannot make a regular expression engine backtrack for hours.
     */
    static boolean matches(String glob, String tag) {
        int g = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < tag.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == tag.charAt(t))) {
                g++;
                t++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                resume = t;
            } else if (star >= 0) {
                g = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    private static IdentityException invalid(String field, String message) {
        return new IdentityException(400, message, field);
    }
}
