// The gateway: see Gateway.swift.
