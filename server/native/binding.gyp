{
  "targets": [
    {
      "target_name": "anode_aes_gcm",
      "sources": ["aes_gcm.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
