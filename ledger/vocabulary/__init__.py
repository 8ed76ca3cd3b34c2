"""The vocabulary: what an event may say.

`terms` holds its words (source kinds, stances, claim statuses) with no dependencies, `fields` the
building blocks of payloads (msgspec Structs), `v1` and `v2` the payload model of each type, and
`registry` the models keyed by (type, version), what each type's fields name and the upcasters from one
version to the next. `refused` handles what a model refuses: it names the first bad field.
"""
