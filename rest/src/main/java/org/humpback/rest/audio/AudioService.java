package org.humpback.rest.audio;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.humpback.pipelines.jobs.AudioImport;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.AudioMetadataDao;
import org.humpback.registry.db.Database;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.Views.AudioFileView;
import org.humpback.rest.Views.MetadataView;

/**
 * {@code /audio}: upload (streamed, hashed, capped, deduplicated), list, get, and the metadata of a file.
 *
 * <p>A second upload of the same bytes answers 201 with the first record, as the seed does (its route declares 201).
 * Content that is no known audio container is refused with 415 at upload time and nothing is kept.
 */
public final class AudioService implements HttpService {

  private static final List<String> METADATA_FIELDS =
      List.of("tag_data", "visual_observations", "group_composition", "prey_density_proxy");
  /** The longest folder_path field read. */
  private static final int MAX_FIELD_BYTES = 64 * 1024;
  /** Room for multipart boundaries and the folder_path field on top of the file cap. */
  private static final long MULTIPART_OVERHEAD = 1024 * 1024;

  private final Database db;
  // On-demand DAOs are thread-safe; made once rather than per request.
  private final AudioFileDao audioFileDao;
  private final AudioMetadataDao audioMetadataDao;
  private final UploadStore store;
  private final AudioImport importer;

  public AudioService(Database db, UploadStore store, AudioImport importer) {
    this.db = db;
    this.audioFileDao = db.dao(AudioFileDao.class);
    this.audioMetadataDao = db.dao(AudioMetadataDao.class);
    this.store = store;
    this.importer = importer;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/upload", this::upload)
        .get("/", this::list)
        .get("/{id}", this::get)
        .put("/{id}/metadata", this::putMetadata);
  }

  private void upload(ServerRequest req, ServerResponse res) {
    HttpMediaType type = req.headers().contentType().orElse(null);
    if (type == null || !type.test(MediaTypes.MULTIPART_FORM_DATA)) {
      throw Refusal.invalid("body: expected multipart/form-data with a 'file' part");
    }
    // Refuse an obviously oversized body before reading a byte of it.
    req.headers().contentLength().ifPresent(length -> {
      if (length > store.maxBytes() + MULTIPART_OVERHEAD) {
        throw Refusal.tooLarge("Upload of " + length + " bytes exceeds the " + store.maxBytes() / (1024 * 1024)
            + " MB limit (HUMPBACK_MAX_UPLOAD_MB)");
      }
    });
    UploadStore.Received received = null;
    String filename = null;
    String folderPath = null;
    try {
      MultipartForm form = new MultipartForm(req.content().inputStream(), type.parameters().get("boundary"));
      for (var next = form.next(); next.isPresent(); next = form.next()) {
        MultipartForm.Part part = next.get();
        switch (part.name()) {
          case "file" -> {
            if (received != null) {
              throw Refusal.invalid("field 'file': send exactly one file per upload");
            }
            filename = UploadStore.displayName(part.fileName());
            received = store.receive(part.content());
          }
          case "folder_path" -> folderPath = normalizeFolder(new String(part.content().readNBytes(MAX_FIELD_BYTES),
              StandardCharsets.UTF_8));
          default -> {
            // other fields are ignored, as the seed's form ignores them
          }
        }
      }
    } catch (MultipartForm.Malformed e) {
      discard(received);
      throw Refusal.invalid("body: malformed multipart/form-data (" + e.getMessage() + ")");
    } catch (java.io.IOException e) {
      discard(received);
      throw new java.io.UncheckedIOException("reading multipart upload", e);
    } catch (java.io.UncheckedIOException e) {
      discard(received);
      if (e.getCause() instanceof MultipartForm.Malformed m) {
        // The file part was cut short while it streamed to disk.
        throw Refusal.invalid("body: malformed multipart/form-data (" + m.getMessage() + ")");
      }
      throw e;
    } catch (RuntimeException e) {
      discard(received);
      throw e;
    }
    if (received == null) {
      throw Refusal.invalid("field 'file': required");
    }
    Json.created(res, store(received, filename, folderPath == null ? "" : folderPath));
  }

  /** The import rule the command line uses too: dedupe by SHA-256, stored copy named by the sniffed container, probe. */
  private AudioFileView store(UploadStore.Received received, String filename, String folderPath) {
    return view(importer.importUpload(received.tempFile(), received.sha256(), received.format(), filename, folderPath)
        .file());
  }

  private void list(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, audioFileDao.list(page.limit(), page.offset()).stream().map(this::view).toList());
  }

  private void get(ServerRequest req, ServerResponse res) {
    Json.ok(res, view(find(Requests.pathId(req))));
  }

  /** Sets any of the four metadata fields; a field left out keeps its value, an explicit null clears it. */
  private void putMetadata(ServerRequest req, ServerResponse res) {
    AudioFile file = find(Requests.pathId(req));
    JsonNode body = Json.read(req, JsonNode.class);
    AudioMetadataDao dao = audioMetadataDao;
    AudioMetadata old = dao.findByAudioFileId(file.id()).orElse(null);
    String[] values = new String[4];
    for (int i = 0; i < METADATA_FIELDS.size(); i++) {
      String field = METADATA_FIELDS.get(i);
      values[i] = old == null ? null : switch (i) {
        case 0 -> old.tagData();
        case 1 -> old.visualObservations();
        case 2 -> old.groupComposition();
        default -> old.preyDensityProxy();
      };
      if (body.has(field)) {
        JsonNode v = body.get(field);
        if (!v.isNull() && !v.isObject()) {
          throw Refusal.invalid("field '" + field + "': expected a JSON object or null, got "
              + v.getNodeType().name().toLowerCase());
        }
        values[i] = v.isNull() ? null : v.toString();
      }
    }
    AudioMetadata saved = dao.upsert(new AudioMetadata(old == null ? null : old.id(), file.id(), values[0], values[1],
        values[2], values[3]));
    Json.ok(res, MetadataView.of(saved));
  }

  private AudioFile find(String id) {
    return audioFileDao.findById(id).orElseThrow(() -> Refusal.notFound("Audio file", id));
  }

  private AudioFileView view(AudioFile f) {
    return AudioFileView.of(f, audioMetadataDao.findByAudioFileId(f.id()).orElse(null));
  }

  private static void discard(UploadStore.Received received) {
    if (received != null) {
      UploadStore.deleteQuietly(received.tempFile());
    }
  }

  /**
   * A folder path as the seed keeps it: segments joined by single slashes, none leading or trailing ({@code //a///b//c//}
   * is {@code a/b/c}); no folder is {@code ""}. Upload and the processing job's {@code folder_path} both use it, so a
   * folder is found as it was given.
   */
  public static String normalizeFolder(String raw) {
    if (raw == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String segment : raw.strip().split("/+")) {
      String s = segment.strip();
      if (!s.isEmpty()) {
        out.append(out.isEmpty() ? "" : "/").append(s);
      }
    }
    return out.toString();
  }
}
