package dev.drydock.portal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where the portal sends a visitor after signing in: a path of this site, or home — never an error. */
class SignInRedirectTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/\t/x",
                "/\r\n/x",
                "/ /x",
                "//evil.example/x",
                "/\\evil.example",
                "https://evil.example/",
                "/x\u0000",
                "/\u00e9",
                "/%zz",
                ""
            })
    void anythingButAPlainLocalPathGoesHome(String next) {
        assertEquals("/", AccountPages.local(next));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/r/acme/app", "/search?q=nginx&sort=stars", "/settings/tokens"})
    void aLocalPathIsKept(String next) {
        assertEquals(next, AccountPages.local(next));
    }
}
