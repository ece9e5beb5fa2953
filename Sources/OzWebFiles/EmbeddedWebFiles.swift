/// The files of the top-level `Resources/web` folder (OzWebClient.js and the web chatroom), built into the binary by
/// the EmbedWebFiles plugin: `files` is generated at build time, as `EmbeddedWebFiles+Files.swift` in the plugin's output.
public enum EmbeddedWebFiles {}
