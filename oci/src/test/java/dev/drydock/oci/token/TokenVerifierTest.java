package dev.drydock.oci.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A service checking registry tokens with the keys registry-api publishes. */
class TokenVerifierTest {

    @Test
    void requestsArrivingWhileTheKeysAreFetchedWaitForThemInsteadOfBeingRefused() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("key-1").generate();
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        AtomicInteger fetches = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            try {
                Thread.sleep(300); // a slow answer: the other requests arrive while it is fetched
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        server.start();
        ExecutorService requests = Executors.newFixedThreadPool(8);
        try {
            TokenVerifier verifier = new TokenVerifier(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks"), "drydock");
            String token = token(key);
            List<Future<Optional<RegistryToken>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(requests.submit(() -> verifier.verify(token)));
            }
            for (Future<Optional<RegistryToken>> answer : answers) {
                assertTrue(answer.get().isPresent(), "a request was refused while the keys were fetched");
            }
            assertEquals(1, fetches.get(), "the keys are fetched once");
        } finally {
            requests.shutdownNow();
            server.stop(0);
        }
    }

    private static String token(ECKey key) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder()
                        .issuer("drydock")
                        .audience("drydock")
                        .subject("alice")
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(300)))
                        .claim("access", List.of())
                        .claim("purpose", "registry")
                        .build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
