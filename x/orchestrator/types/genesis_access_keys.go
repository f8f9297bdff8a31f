package types

import "fmt"

// validateAccessKeys checks the genesis access keys: valid keys of
// registered parties, each listed once.
func validateAccessKeys(keys []AccessKey, providers map[string]Provider, consumers map[string]bool) error {
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if err := k.Validate(); err != nil {
			return err
		}
		if seen[k.Address] {
			return fmt.Errorf("access key of %s listed twice", k.Address)
		}
		seen[k.Address] = true
		if _, isProvider := providers[k.Address]; !isProvider && !consumers[k.Address] {
			return fmt.Errorf("access key of %s, which is neither a provider nor a consumer", k.Address)
		}
	}
	return nil
}
