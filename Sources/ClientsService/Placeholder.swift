// The clients service: see ClientsService.swift.
