package io.holdout.datasets.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdout.api.HoldoutException;
import io.holdout.api.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** JSON reading with one-line error messages that name the file and line. */
public final class Json {
  /** A shared, thread-safe mapper. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Parses {@code text}; {@code where} names the file in messages. */
  public static JsonNode parse(String text, String where) {
    try {
      JsonNode n = MAPPER.readTree(text);
      if (n == null || n.isMissingNode()) {
        throw new HoldoutException(where + ": empty JSON document");
      }
      return n;
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String at = loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
      throw new HoldoutException(where + at + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** Reads and parses a file. */
  public static JsonNode read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": file not found");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Writes pretty-printed JSON, atomically. */
  public static void write(Path file, JsonNode node) {
    try {
      AtomicFiles.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (java.io.UncheckedIOException e) {
      throw new HoldoutException(file + ": cannot write: " + e.getCause().getMessage(), e);
    }
  }
}
