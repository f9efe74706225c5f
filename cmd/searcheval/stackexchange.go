package main

import (
	"context"
	"fmt"
)

// stackExchange is filled in with the importer.
func stackExchange(ctx context.Context, data, work string) error {
	fmt.Println("Stack Exchange duplicates: pending the importer")
	return nil
}
