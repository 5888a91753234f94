package dev.drydock.oci.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request sent byte for byte as written, for the security tests of every module:
 * HTTP clients tidy paths (rest-assured folds {@code //}, java.net.http refuses some), which is
 * the very thing under test.
 */
public final class RawRequest {

    private RawRequest() {}

    /**
     * The status the server at {@code 127.0.0.1:port} answers.
     *
     * @param authorization the {@code Authorization} header's value, or empty for none
     */
    public static int status(
            int port, String method, String target, String authorization, String contentType, String content) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            byte[] body = content.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + (authorization.isEmpty() ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String statusLine = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
