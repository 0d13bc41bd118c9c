package org.humpback.rest.media;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.db.Database;
import org.humpback.rest.Requests;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioDecoder;

/**
 * {@code /audio/{id}/download}, {@code /window} and {@code /spectrogram.png}: a recording as stored, a slice of it
 * as WAV, and a slice's log-mel image, for listening to and looking at windows. Slices are decoded by the same
 * {@link AudioDecoder} the encoder uses, at the file's own rate (capped at {@value #MAX_RATE} Hz), so what is heard is
 * what was embedded before resampling. Downloads and slices honour {@code Range} so the browser can seek.
 */
public final class AudioMediaService implements HttpService {

  /** Longest slice served as audio: ten minutes. */
  static final double MAX_WINDOW_S = 600;
  /** Longest slice drawn as a spectrogram. */
  static final double MAX_SPECTROGRAM_S = 300;
  /** Slices of higher-rate recordings are resampled to this rate. */
  static final int MAX_RATE = 96_000;

  private final AudioFileDao audioFileDao;

  public AudioMediaService(Database db) {
    this.audioFileDao = db.dao(AudioFileDao.class);
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/{id}/download", this::download)
        .get("/{id}/window", this::window)
        .get("/{id}/spectrogram.png", this::spectrogram);
  }

  private void download(ServerRequest req, ServerResponse res) {
    AudioFile f = find(Requests.pathId(req));
    Path stored = storedFile(f);
    long length;
    try {
      length = Files.size(stored);
    } catch (IOException e) {
      throw missing(f);
    }
    String name = f.filename() == null || f.filename().isBlank() ? f.id() + extension(stored) : f.filename();
    // The display name is the client's own (already reduced to one path segment): an ASCII fallback with quotes,
    // backslashes and control or non-ASCII characters replaced, and the exact name in RFC 5987 form.
    res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + name.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_")
        + "\"; filename*=UTF-8''" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20"));
    ByteRanges.send(req, res, contentType(stored), length, (out, offset, count) -> {
      try (FileChannel ch = FileChannel.open(stored, StandardOpenOption.READ);
          InputStream in = Channels.newInputStream(ch.position(offset))) {
        byte[] buf = new byte[64 * 1024];
        long left = count;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          left -= n;
        }
      }
    });
  }

  private void window(ServerRequest req, ServerResponse res) throws AudioDecodeException {
    AudioFile f = find(Requests.pathId(req));
    double start = Requests.doubleQuery(req, "start_s", 0, 0, Double.MAX_VALUE);
    double duration = Requests.doubleQuery(req, "duration_s", 5, 1e-3, MAX_WINDOW_S);
    boolean normalize = Requests.booleanQuery(req, "normalize", false);
    Slice slice = decode(f, start, duration);
    byte[] wav = Wav.pcm16(slice.samples(), slice.sampleRate(), normalize);
    ByteRanges.send(req, res, "audio/wav", wav.length, (out, offset, count) -> out.write(wav, (int) offset,
        (int) count));
  }

  private void spectrogram(ServerRequest req, ServerResponse res) throws AudioDecodeException {
    AudioFile f = find(Requests.pathId(req));
    double start = Requests.doubleQuery(req, "start_s", 0, 0, Double.MAX_VALUE);
    double duration = Requests.doubleQuery(req, "duration_s", 5, 1e-2, MAX_SPECTROGRAM_S);
    int width = Requests.intQuery(req, "width", 640, SpectrogramImage.MIN_WIDTH, 4000);
    int height = Requests.intQuery(req, "height", 320, SpectrogramImage.MIN_HEIGHT, 2000);
    Slice slice = decode(f, start, duration);
    byte[] png = SpectrogramImage.png(slice.samples(), slice.sampleRate(), start, width, height);
    res.header(HeaderNames.CONTENT_TYPE, "image/png");
    // The image of a stored file's slice never changes: let the browser keep it.
    res.header(HeaderNames.CACHE_CONTROL, "private, max-age=3600");
    res.send(png);
  }

  record Slice(float[] samples, int sampleRate) {}

  /**
   * {@code duration} seconds from {@code start} (fewer at the file's end), mono at the file's rate. A stored recording
   * that no longer decodes is the server's fault, not the request's: it goes to the storage error mapping, which logs
   * it and answers a 500 whose detail gives the decoder's reason without the server's path.
   */
  private Slice decode(AudioFile f, double start, double duration) throws AudioDecodeException {
    if (f.durationSeconds() != null && start >= f.durationSeconds()) {
      throw Refusal.invalid("query parameter 'start_s': " + start + " is past the end of the recording ("
          + f.durationSeconds() + " s)");
    }
    Path stored = storedFile(f);
    int rate = f.sampleRateOriginal() != null && f.sampleRateOriginal() > MAX_RATE ? MAX_RATE : 0;
    try (AudioDecoder d = AudioDecoder.open(stored, rate, start)) {
      int sr = d.outputSampleRate();
      int wanted = (int) Math.max(1, Math.round(duration * sr));
      float[] buf = new float[wanted];
      int n = 0;
      while (n < wanted) {
        int r = d.read(buf, n, wanted - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      if (n == 0) {
        throw Refusal.invalid("query parameter 'start_s': " + start + " is past the end of the recording");
      }
      return new Slice(n == wanted ? buf : java.util.Arrays.copyOf(buf, n), sr);
    }
  }

  private AudioFile find(String id) {
    return audioFileDao.findById(id).orElseThrow(() -> Refusal.notFound("Audio file", id));
  }

  private static Path storedFile(AudioFile f) {
    Path p = f.storedPath() == null ? null : Path.of(f.storedPath());
    if (p == null || !Files.isRegularFile(p)) {
      throw missing(f);
    }
    return p;
  }

  private static Refusal missing(AudioFile f) {
    return Refusal.conflict("Audio file " + f.id() + ": the stored recording is missing on the server");
  }

  private static String extension(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot).toLowerCase(Locale.ROOT);
  }

  /** The stored file's extension was chosen from its content at upload (see {@code AudioFormat}). */
  static String contentType(Path stored) {
    return switch (extension(stored)) {
      case ".wav" -> "audio/wav";
      case ".mp3" -> "audio/mpeg";
      case ".flac" -> "audio/flac";
      case ".ogg", ".oga" -> "audio/ogg";
      case ".aif", ".aiff" -> "audio/aiff";
      case ".m4a", ".mp4" -> "audio/mp4";
      default -> "application/octet-stream";
    };
  }
}
