package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.humpback.rest.RestOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 11: a blank HUMPBACK_API_TOKEN never turns authentication off; the server refuses to start. */
class BlankTokenTest {

  @TempDir Path home;

  @Test
  void blankTokenRefusesToStartWithAClearMessage() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = ApiCommand.serve(new String[0], false, "api", Map.of("HUMPBACK_HOME", home.toString(),
          "HUMPBACK_PORT", "0", "HUMPBACK_API_TOKEN", "   "), home);
    } finally {
      System.setErr(err);
    }
    assertEquals(2, code);
    String message = captured.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("HUMPBACK_API_TOKEN is set but blank"), message);
  }

  @Test
  void blankTokenIsNotReadAsNoAuthentication() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RestOptions("127.0.0.1", 0, home, 1024, " \t ", 1));
    assertTrue(e.getMessage().contains("HUMPBACK_API_TOKEN"), e.getMessage());
  }
}
