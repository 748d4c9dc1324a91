// The tasks service: see TasksService.swift.
