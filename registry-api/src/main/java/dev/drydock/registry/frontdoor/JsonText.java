package dev.drydock.registry.frontdoor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.drydock.oci.http.TextInput;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Optional;

/**
 * Every string field of every JSON body the REST API reads is checked like a query parameter:
 * NUL and other control characters are refused with 400 before a resource sees them, and so is a
 * number, boolean, array or object where a string belongs.
 */
@Singleton
public class JsonText implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("drydock-text").addDeserializer(String.class, new CheckedString()));
    }

    private static final class CheckedString extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                // no quiet coercion: {"username": true} is a mistake, not the user "true"
                return (String) context.handleUnexpectedToken(
                        String.class, parser.currentToken(), parser, "a string is expected here");
            }
            String text = super.deserialize(parser, context);
            Optional<String> problem = TextInput.problem(text);
            if (problem.isPresent()) {
                throw context.weirdStringException(text, String.class, problem.get());
            }
            return text;
        }
    }
}
