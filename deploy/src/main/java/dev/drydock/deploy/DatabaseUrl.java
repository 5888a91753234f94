package dev.drydock.deploy;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An existing PostgreSQL server as the operator gives it in {@code DRYDOCK_DB_URL}: either a JDBC
 * URL ({@code jdbc:postgresql://host:5432/db?user=u&password=p}) or a libpq URI
 * ({@code postgresql://u:p@host:5432/db}). Credentials in the URL are taken out of it, so that
 * they reach the services as settings of their own and never stand in a process list.
 */
record DatabaseUrl(String jdbcUrl, String user, String password) {

    static DatabaseUrl parse(String text, String fallbackUser, String fallbackPassword) {
        String rest = text.startsWith("jdbc:") ? text.substring("jdbc:".length()) : text;
        if (rest.startsWith("postgres://")) {
            rest = "postgresql://" + rest.substring("postgres://".length());
        }
        if (!rest.startsWith("postgresql://")) {
            throw new IllegalArgumentException(
                    "DRYDOCK_DB_URL must be jdbc:postgresql://… or postgresql://…, not " + text);
        }
        URI uri = URI.create(rest);
        String user = fallbackUser;
        String password = fallbackPassword;
        if (uri.getRawUserInfo() != null) {
            String[] info = uri.getRawUserInfo().split(":", 2);
            user = decode(info[0]);
            password = info.length > 1 ? decode(info[1]) : password;
        }
        List<String> kept = new ArrayList<>();
        if (uri.getRawQuery() != null) {
            for (String parameter : uri.getRawQuery().split("&")) {
                String[] pair = parameter.split("=", 2);
                if (pair[0].equals("user")) {
                    user = decode(pair.length > 1 ? pair[1] : "");
                } else if (pair[0].equals("password")) {
                    password = decode(pair.length > 1 ? pair[1] : "");
                } else {
                    kept.add(parameter);
                }
            }
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("DRYDOCK_DB_URL names no host: " + text);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new DatabaseUrl(jdbc, user, password);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return jdbcUrl + " as " + user;
    }
}
