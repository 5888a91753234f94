package dev.drydock.portal.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drydock.portal.FrontDoor;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionFormTest {

    @Test
    void storedRulesBecomeRowsAndTheRowsTheSameRules() {
        List<FrontDoor.RetentionRule> rules = List.of(
                new FrontDoor.RetentionRule("v*", 10, null, null),
                new FrontDoor.RetentionRule("pr-*", null, "14d", null),
                new FrontDoor.RetentionRule("*", null, null, "90d"));
        FrontDoor.StoredRetention stored = new FrontDoor.StoredRetention(
                "REPOSITORY",
                "acme/app",
                new FrontDoor.RetentionPolicy(rules, List.of("latest", "release-*")),
                "alice",
                Instant.now());
        RetentionForm form = RetentionForm.of("/r/acme/app/settings", stored);
        assertEquals(5, form.rows().size(), "three rules and two blank rows");
        assertEquals(new RetentionForm.Row("v*", "keepLast", "10"), form.rows().get(0));
        assertEquals(
                new RetentionForm.Row("pr-*", "olderThan", "14d"), form.rows().get(1));
        assertEquals(
                new RetentionForm.Row("*", "notPulledFor", "90d"), form.rows().get(2));
        assertEquals("latest\nrelease-*", form.protect());
        assertEquals(rules, form.rules());
        assertEquals(List.of("latest", "release-*"), form.protectPatterns());
    }

    @Test
    void aSubmittedFormKeepsItsFilledRowsAndSkipsBlankOnes() {
        RetentionForm form = RetentionForm.submitted(
                "/u/alice/retention",
                null,
                Arrays.asList(" v* ", "", "", null),
                List.of("keepLast", "keepLast", "olderThan"),
                List.of("3", "", "30d"),
                "latest\n\n  v1  \n");
        assertEquals(
                List.of(
                        new FrontDoor.RetentionRule("v*", 3, null, null),
                        new FrontDoor.RetentionRule("*", null, "30d", null)),
                form.rules(),
                "a rule without tags looks at all of them");
        assertEquals(List.of("latest", "v1"), form.protectPatterns());
        assertEquals(4, form.rows().size(), "two filled rows and two blank ones");
    }

    @Test
    void aRuleWithoutItsNumberOrWithAnUnknownKindIsNamed() {
        RetentionForm noNumber = RetentionForm.submitted(
                "/u/alice/retention", null, List.of("*"), List.of("keepLast"), List.of("ten"), "");
        assertTrue(assertThrows(RetentionForm.Invalid.class, noNumber::rules)
                .getMessage()
                .contains("whole number"));
        for (String number : new String[] {"+5", "\u0663", "1e3", "-1", "99999999999"}) {
            RetentionForm odd = RetentionForm.submitted(
                    "/u/alice/retention", null, List.of("*"), List.of("keepLast"), List.of(number), "");
            assertThrows(RetentionForm.Invalid.class, odd::rules, number);
        }
        RetentionForm unknown = RetentionForm.submitted(
                "/u/alice/retention", null, List.of("*"), List.of("sometimes"), List.of("1"), "");
        assertTrue(assertThrows(RetentionForm.Invalid.class, unknown::rules)
                .getMessage()
                .contains("Choose"));
        assertEquals(
                List.of(),
                RetentionForm.submitted("/u/alice/retention", null, null, null, null, null)
                        .rules());
    }
}
